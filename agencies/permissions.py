"""Staff groups and the agency scope of a staff member.

Four groups, created by a data migration and re-synced with `manage.py sync_groups`:
Administrators (everything), Editors (all content), Agency editors (only the agencies assigned to them,
through AgencyAssignment) and Viewers (read only)."""
from __future__ import annotations

from django.db.models import QuerySet

ADMINISTRATORS = "Administrators"
EDITORS = "Editors"
AGENCY_EDITORS = "Agency editors"
VIEWERS = "Viewers"

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)
REVIEW = ("view", "change")

# --- the role table -------------------------------------------------------------------------------
# Every model of this project has a role; a role says what each group may do to it. Administrators get
# every permission that exists. `groups_sync` applies the table after every `migrate` (post_migrate),
# so groups are complete on a new database and when a later migration adds a model.
ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    # an agency itself: agency editors change their own (content only: AGENCY_EDITOR_LOCKED_FIELDS)
    "agency": {EDITORS: ALL, AGENCY_EDITORS: REVIEW, VIEWERS: VIEW},
    # what an agency publishes: names, contacts, hours, special days, sources, duties
    "agency_record": {EDITORS: ALL, AGENCY_EDITORS: ALL, VIEWERS: VIEW},
    # shared by every agency: regions, holidays, duty categories
    "vocabulary": {EDITORS: ALL, AGENCY_EDITORS: VIEW, VIEWERS: VIEW},
    # other content editors keep (search synonyms, ingested pages...)
    "content": {EDITORS: ALL, VIEWERS: VIEW},
    "imports": {EDITORS: REVIEW, AGENCY_EDITORS: REVIEW, VIEWERS: VIEW},
    "corrections": {EDITORS: REVIEW},
    # pages read by `ingest`: staff who keep an agency's records file and re-check them
    "ingest_page": {EDITORS: ("view", "add", "change"), AGENCY_EDITORS: ("view", "add", "change"), VIEWERS: VIEW},
    # what ingest proposes is accepted or rejected on its own review page, never edited
    "ingest_proposal": {EDITORS: VIEW, AGENCY_EDITORS: VIEW, VIEWERS: VIEW},
    # accounts, assignments, logs, raw history tables
    "administrators": {},
}
MODEL_ROLES: dict[str, str] = {
    "agencies.agency": "agency",
    "agencies.agencyname": "agency_record",
    "agencies.contact": "agency_record",
    "agencies.officehours": "agency_record",
    "agencies.specialday": "agency_record",
    "agencies.source": "agency_record",
    "duties.duty": "agency_record",
    "agencies.region": "vocabulary",
    "agencies.publicholiday": "vocabulary",
    "duties.dutycategory": "vocabulary",
    "agencies.importbatch": "imports",
    "portal.correctionreport": "corrections",
    "agencies.agencyassignment": "administrators",
    "agencies.regiontally": "administrators",  # derived by triggers; not in the admin
    "ingest.ingestedpage": "ingest_page",
    "ingest.proposedchange": "ingest_proposal",
}
#: the role of a model of these apps that MODEL_ROLES does not name (new models are covered at once)
APP_ROLES: dict[str, str] = {"search": "content", "ingest": "content"}
#: apps of this project: each of their models must have a role (tests/staff/test_groups.py checks it)
PROJECT_APPS = ("agencies", "duties", "portal", "search", "ingest")

#: An agency editor changes the content of their agencies (names, contacts, hours, duties, sources,
#: description...), never its identity, its place in the hierarchy or whether it is published:
#: these stay read-only for them in forms, reverts, actions and imports.
AGENCY_EDITOR_LOCKED_FIELDS = ("slug", "level", "status", "region", "seat", "parent")
UNRESTRICTED_GROUPS = {ADMINISTRATORS, EDITORS, VIEWERS}


def role_of(app_label: str, model_name: str) -> str | None:
    """The model's role; None for a model of this project that the table forgot (a test fails then)."""
    label = f"{app_label}.{model_name}"
    if label in MODEL_ROLES:
        return MODEL_ROLES[label]
    if model_name.startswith("historical"):
        return "administrators"  # history is read and reverted through the record's own admin page
    if app_label in APP_ROLES:
        return APP_ROLES[app_label]
    if app_label in PROJECT_APPS:
        return None
    return "administrators"  # Django's and third-party apps: accounts, sessions, logs, lockouts


def group_grants(group: str, app_label: str, model_name: str) -> tuple[str, ...]:
    return ROLES.get(role_of(app_label, model_name) or "administrators", {}).get(group, ())


def groups_sync(*, apps=None) -> dict[str, int]:
    """Create the four groups and set exactly their permissions from the role table; returns
    permissions per group. `apps` is a migration state's registry, the real one otherwise."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.select_related("content_type"))
    counts = {}
    admins, _ = Group.objects.get_or_create(name=ADMINISTRATORS)
    admins.permissions.set(permissions)
    counts[ADMINISTRATORS] = len(permissions)
    for name in (EDITORS, AGENCY_EDITORS, VIEWERS):
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            permission for permission in permissions
            if permission.codename in {
                f"{action}_{permission.content_type.model}"
                for action in group_grants(name, permission.content_type.app_label, permission.content_type.model)
            }
        ]
        group.permissions.set(wanted)
        counts[name] = len(wanted)
    return counts


def sync_groups_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: once the last app's permissions exist, bring the groups up to the role table."""
    from django.apps import apps
    from django.db import router

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not last or not router.allow_migrate_model(using, apps.get_model("auth", "Group")):
        return
    from django.db import transaction

    with transaction.atomic(using=using):
        groups_sync()


def is_unrestricted(user) -> bool:
    """Superusers, Administrators, Editors and Viewers see every agency; everyone else only their own."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_agency_unrestricted", None)
    if cached is None:
        cached = user.groups.filter(name__in=UNRESTRICTED_GROUPS).exists()
        user._agency_unrestricted = cached
    return cached


def agency_ids_for(user) -> set[int] | None:
    """The ids of the agencies `user` may see and edit, or None for all of them."""
    if is_unrestricted(user):
        return None
    cached = getattr(user, "_agency_ids", None)
    if cached is None:
        from agencies.models import AgencyAssignment

        cached = set(AgencyAssignment.objects.filter(user=user).values_list("agency_id", flat=True))
        user._agency_ids = cached
    return cached


def scope_queryset(queryset: QuerySet, user, agency_path: str) -> QuerySet:
    """Filter `queryset` to the user's agencies; `agency_path` leads from the model to Agency
    ("agency", "parent__agency", or "" for Agency itself)."""
    agency_ids = agency_ids_for(user)
    if agency_ids is None:
        return queryset
    lookup = f"{agency_path}__in" if agency_path else "pk__in"
    return queryset.filter(**{lookup: agency_ids})


def may_edit_agency(user, agency_id: int | None) -> bool:
    agency_ids = agency_ids_for(user)
    return agency_ids is None or agency_id in agency_ids
