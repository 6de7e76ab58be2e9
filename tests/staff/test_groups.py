"""The groups after `migrate` match the role table for every model that exists, new ones included."""
import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from agencies.permissions import ADMINISTRATORS, AGENCY_EDITORS, EDITORS, PROJECT_APPS, ROLES, VIEWERS, role_of

pytestmark = pytest.mark.django_db

GROUPS = (EDITORS, AGENCY_EDITORS, VIEWERS)


def expected(group: str) -> set[str]:
    if group == ADMINISTRATORS:
        return set(Permission.objects.values_list("content_type__app_label", "codename").distinct())
    return {
        (model._meta.app_label, f"{action}_{model._meta.model_name}")
        for model in apps.get_models()
        for action in ROLES[role_of(model._meta.app_label, model._meta.model_name) or "administrators"].get(group, ())
    }


def granted(group: str) -> set[str]:
    return set(Group.objects.get(name=group).permissions.values_list("content_type__app_label", "codename"))


def test_every_model_of_the_project_has_a_role():
    unlisted = [model._meta.label_lower for model in apps.get_models()
                if model._meta.app_label in PROJECT_APPS and role_of(model._meta.app_label, model._meta.model_name)
                is None]
    assert unlisted == [], "add them to MODEL_ROLES (or APP_ROLES) in agencies/permissions.py"


@pytest.mark.parametrize("group", [ADMINISTRATORS, *GROUPS])
def test_groups_are_complete_after_migrate_on_a_new_database(group):
    # The test database was built by `migrate`; nothing here has run sync_groups by hand.
    assert granted(group) == expected(group)


def test_a_model_added_by_a_later_migration_joins_the_groups_on_migrate():
    Permission.objects.filter(content_type__app_label="portal").delete()  # as before portal's models existed
    Group.objects.get(name=EDITORS).permissions.clear()
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate still runs
    assert ("portal", "change_correctionreport") in granted(EDITORS)
    assert granted(ADMINISTRATORS) == expected(ADMINISTRATORS)
    for group in GROUPS:
        assert granted(group) == expected(group)


def test_role_table_spells_out_the_agency_editor_and_viewer_rights():
    assert ("agencies", "change_contact") in granted(AGENCY_EDITORS)
    assert ("agencies", "add_agency") not in granted(AGENCY_EDITORS)
    assert ("portal", "change_correctionreport") in granted(EDITORS)
    assert all(codename.startswith("view_") for _app, codename in granted(VIEWERS))
    assert not {codename for _app, codename in granted(EDITORS) if "user" in codename or "historical" in codename}
