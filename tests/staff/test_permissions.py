"""Who may do what: the whole matrix of groups × pages, and agency editors kept to their own agencies."""
import importlib
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency, Contact
from agencies.permissions import ADMINISTRATORS, AGENCY_EDITORS, EDITORS, VIEWERS
from duties.models import Duty
from tests.staff.helpers import change_form_data

pytestmark = pytest.mark.django_db

PERSONAS = ["viewer_client", "agency_editor_client", "editor_client", "administrator_client"]


def _url(name, own_agency, other_agency):
    targets = {
        "own": own_agency.pk,
        "other": other_agency.pk,
        "own-contact": own_agency.contacts.first().pk,
        "other-contact": other_agency.contacts.first().pk,
        "other-duty": other_agency.duties.first().pk,
    }
    view, _, target = name.partition(":")
    return reverse(f"admin:{view}", args=[targets[target]] if target else [])


# GET status per persona: viewer, agency editor, editor, administrator. 302 = "no such object" redirect.
MATRIX = [
    ("agencies_agency_changelist", (200, 200, 200, 200)),
    ("agencies_agency_change:own", (200, 200, 200, 200)),
    ("agencies_agency_change:other", (200, 302, 200, 200)),
    ("agencies_agency_history:other", (200, 403, 200, 200)),
    ("agencies_agency_add", (403, 403, 200, 200)),
    ("agencies_agency_delete:own", (403, 403, 200, 200)),
    ("agencies_agency_import", (403, 200, 200, 200)),
    ("agencies_agency_export", (200, 200, 200, 200)),
    ("agencies_contact_change:own-contact", (200, 200, 200, 200)),
    ("agencies_contact_change:other-contact", (200, 302, 200, 200)),
    ("agencies_contact_delete:other-contact", (403, 302, 200, 200)),
    ("agencies_contact_history:other-contact", (200, 403, 200, 200)),
    ("agencies_contact_add", (403, 200, 200, 200)),
    ("duties_duty_change:other-duty", (200, 302, 200, 200)),
    ("agencies_region_import", (403, 403, 200, 200)),
    ("agencies_region_add", (403, 403, 200, 200)),
    ("agencies_publicholiday_add", (403, 403, 200, 200)),
    ("duties_dutycategory_add", (403, 403, 200, 200)),
    ("agencies_agencyassignment_changelist", (403, 403, 403, 200)),
    ("auth_user_changelist", (403, 403, 403, 200)),
]


@pytest.mark.parametrize(("name", "statuses"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(request, own_agency, other_agency, name, statuses):
    url = _url(name, own_agency, other_agency)
    for persona, expected in zip(PERSONAS, statuses, strict=True):
        client = request.getfixturevalue(persona)
        assert client.get(url).status_code == expected, f"{persona} GET {name}"


def test_viewer_sees_a_read_only_form_and_cannot_post_changes(viewer_client, own_agency):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    page = viewer_client.get(url)
    assert 'name="_save"' not in page.content.decode()
    assert viewer_client.post(url, {"name": "Hijacked"}).status_code == 403
    own_agency.refresh_from_db()
    assert own_agency.name != "Hijacked"


def test_agency_editor_lists_only_their_agency_and_its_records(agency_editor_client, own_agency):
    agencies = agency_editor_client.get(reverse("admin:agencies_agency_changelist")).context["cl"].result_list
    assert [agency.pk for agency in agencies] == [own_agency.pk]
    contacts = agency_editor_client.get(reverse("admin:agencies_contact_changelist")).context["cl"].result_list
    assert {contact.agency_id for contact in contacts} == {own_agency.pk}
    duties = agency_editor_client.get(reverse("admin:duties_duty_changelist")).context["cl"].queryset
    assert set(duties.values_list("agency_id", flat=True)) <= {own_agency.pk}


def test_agency_editor_saves_own_agency_with_inlines(agency_editor_client, own_agency):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    data = change_form_data(agency_editor_client.get(url))
    data["rank"] = "Department level"
    assert agency_editor_client.post(url, data).status_code == 302
    own_agency.refresh_from_db()
    assert own_agency.rank == "Department level"


def test_agency_editor_cannot_post_to_another_agencys_page(agency_editor_client, editor_client, other_agency):
    url = reverse("admin:agencies_agency_change", args=[other_agency.pk])
    data = change_form_data(editor_client.get(url))
    data["rank"] = "Hijacked"
    agency_editor_client.post(url, data)
    other_agency.refresh_from_db()
    assert other_agency.rank != "Hijacked"


def test_agency_editor_cannot_move_a_contact_to_another_agency(agency_editor_client, own_agency, other_agency):
    response = agency_editor_client.post(
        reverse("admin:agencies_contact_add"),
        {"agency": other_agency.pk, "kind": "office", "label": "Tel", "value": "0571-87056409", "position": 9},
    )
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not Contact.objects.filter(agency=other_agency, position=9).exists()


def test_actions_only_touch_the_agency_editors_own_agencies(agency_editor_client, own_agency, other_agency):
    agency_editor_client.post(
        reverse("admin:agencies_agency_changelist"),
        {"action": "mark_verified", "_selected_action": [own_agency.pk, other_agency.pk]},
    )
    own_agency.refresh_from_db()
    other_agency.refresh_from_db()
    assert own_agency.last_verified is not None and own_agency.version > 1
    assert other_agency.version == 1


def test_agency_editor_may_not_publish_or_unpublish(agency_editor_client, editor_client, own_agency):
    page = agency_editor_client.get(reverse("admin:agencies_agency_changelist"))
    actions = [value for value, _label in page.context["action_form"].fields["action"].choices]
    assert "mark_verified" in actions and "unpublish" not in actions and "publish" not in actions
    agency_editor_client.post(reverse("admin:agencies_agency_changelist"),
                              {"action": "unpublish", "_selected_action": [own_agency.pk]})
    own_agency.refresh_from_db()
    assert own_agency.status == Agency.Status.PUBLISHED
    editor_actions = editor_client.get(reverse("admin:agencies_agency_changelist")).context["action_form"]
    assert "unpublish" in [value for value, _label in editor_actions.fields["action"].choices]


def test_agency_editor_changes_content_but_not_place_or_publication(agency_editor_client, own_agency, other_agency):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    page = agency_editor_client.get(url)
    form_fields = set(page.context["adminform"].form.fields)
    assert {"name", "name_zh", "description", "hours_notes", "website", "address"} <= form_fields
    assert not {"slug", "level", "status", "region", "seat", "parent"} & form_fields
    data = change_form_data(page)
    data.update(name="Gansu renamed", parent=str(other_agency.pk), status="draft",
                region=str(other_agency.region_id))
    assert agency_editor_client.post(url, data).status_code == 302
    own_agency.refresh_from_db()
    assert own_agency.name == "Gansu renamed"
    assert (own_agency.parent_id, own_agency.status) == (None, Agency.Status.PUBLISHED)
    assert own_agency.region_id != other_agency.region_id
    assert own_agency not in other_agency.children.all()


def test_agency_editor_revert_from_history_keeps_place_and_publication(agency_editor_client, own_agency):
    record = own_agency.history.earliest()
    own_agency.status = Agency.Status.DRAFT  # an editor unpublished it since
    own_agency.version += 1
    own_agency.save()
    url = reverse("admin:agencies_agency_simple_history", args=[own_agency.pk, record.history_id])
    page = agency_editor_client.get(url)
    assert agency_editor_client.post(url, change_form_data(page)).status_code == 302
    own_agency.refresh_from_db()
    assert own_agency.status == Agency.Status.DRAFT


def test_agency_editor_import_may_not_move_their_agency(agency_editor_client, own_agency, other_agency):
    from agencies.services import dataset_read, export_dataset, import_dataset

    exported = export_dataset(resource_name="agencies", user=agency_editor_client.user).decode("utf-8-sig")
    assert exported.count("\n") == 2  # the header and their one agency
    moved = exported.replace(f",{own_agency.region.code},", f",{other_agency.region.code},")
    moved = moved.replace(",published,", ",draft,")
    report = import_dataset(resource_name="agencies", dataset=dataset_read(data=moved.encode(), file_format="csv"),
                            user=agency_editor_client.user)
    assert any("row 1, region: Agency editors may not change region" in error for error in report.errors)
    assert any("row 1, status: Agency editors may not change status" in error for error in report.errors)
    own_agency.refresh_from_db()
    assert own_agency.status == Agency.Status.PUBLISHED


def test_agency_editor_exports_only_their_own_records(agency_editor_client, own_agency):
    response = agency_editor_client.post(reverse("admin:agencies_contact_export"), {"format": "0", "resource": "0"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert own_agency.slug in text
    assert "zhejiang-department-of-science-and-technology" not in text
    assert text.count("\n") == own_agency.contacts.count() + 1
    duties = agency_editor_client.post(reverse("admin:duties_duty_export"), {"format": "2", "resource": "0"})
    assert "zhejiang" not in duties.content.decode()


def test_agency_editor_import_rejects_rows_for_other_agencies(agency_editor_client, own_agency, other_agency):
    csv = (
        "agency,kind,position,label,value\n"
        f"{own_agency.slug},fax,7,Fax,0931-8834600\n"
        f"{other_agency.slug},fax,7,Fax,0571-87056400\n"
    ).encode()
    upload = io.BytesIO(csv)
    upload.name = "contacts.csv"
    response = agency_editor_client.post(
        reverse("admin:agencies_contact_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert response.status_code == 200
    assert (f"row 2, agency: &#x27;{other_agency.slug}&#x27; is not the slug of any agency you may edit."
            in response.content.decode())
    assert "confirm_form" not in response.context
    assert not Contact.objects.filter(kind="fax").exists()


def test_data_migration_creates_the_four_groups(db):
    from django.apps import apps

    Group.objects.all().delete()
    importlib.import_module("agencies.migrations.0003_staff_groups").create_groups(apps, None)
    assert set(Group.objects.values_list("name", flat=True)) == {ADMINISTRATORS, EDITORS, AGENCY_EDITORS, VIEWERS}
    assert Group.objects.get(name=AGENCY_EDITORS).permissions.filter(codename="change_contact").exists()


def test_sync_groups_restores_changed_group_permissions(db):
    call_command("sync_groups", stdout=io.StringIO())
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.clear()
    out = io.StringIO()
    call_command("sync_groups", stdout=out)
    assert editors.permissions.filter(codename="change_agency").exists()
    assert "Editors: " in out.getvalue()
    assert set(Group.objects.values_list("name", flat=True)) >= {ADMINISTRATORS, EDITORS, AGENCY_EDITORS, VIEWERS}
    assert not Group.objects.get(name=VIEWERS).permissions.exclude(codename__startswith="view_").exists()
    assert not Group.objects.get(name=AGENCY_EDITORS).permissions.filter(codename="add_agency").exists()


def test_login_is_locked_after_five_failures_for_that_username_and_address(client, make_staff):
    make_staff("dora", EDITORS)
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "dora", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    right = {"username": "dora", "password": "correct horse battery staple"}
    locked = client.post(login, right, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    other_address = client.post(login, right, REMOTE_ADDR="10.0.0.2")
    assert other_address.status_code == 302


def test_weak_passwords_are_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
    with pytest.raises(ValidationError):
        validate_password("password123")
    validate_password("correct horse battery staple")


def test_duty_parent_choices_stay_within_the_editors_agency(agency_editor_client, own_agency, other_agency):
    response = agency_editor_client.get(reverse("admin:duties_duty_add"))
    parents = response.context["adminform"].form.fields["parent"].queryset
    assert not parents.filter(agency=other_agency).exists()
    assert Duty.objects.filter(agency=other_agency).exists()


def test_administrator_assigns_agencies_on_the_users_page(administrator_client, make_staff, own_agency):
    from agencies.models import AgencyAssignment

    dora = make_staff("dora", AGENCY_EDITORS)
    url = reverse("admin:auth_user_change", args=[dora.pk])
    page = administrator_client.get(url)
    data = change_form_data(page)
    prefix = next(i.formset.prefix for i in page.context["inline_admin_formsets"]
                  if i.formset.model is AgencyAssignment)
    data |= {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-agency": own_agency.pk, f"{prefix}-0-user": dora.pk,
             "date_joined_0": dora.date_joined.date().isoformat(), "date_joined_1": "00:00:00"}
    response = administrator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(dora.agency_assignments.values_list("agency__slug", flat=True)) == [own_agency.slug]
