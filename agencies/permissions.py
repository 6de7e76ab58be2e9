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
CONTENT_MODELS = [
    "agencies.region",
    "agencies.agency",
    "agencies.agencyname",
    "agencies.contact",
    "agencies.officehours",
    "agencies.specialday",
    "agencies.publicholiday",
    "agencies.source",
    "duties.duty",
    "duties.dutycategory",
]
# What an agency editor may do to the records of their own agencies.
AGENCY_RECORDS = [
    "agencies.agencyname",
    "agencies.contact",
    "agencies.officehours",
    "agencies.specialday",
    "agencies.source",
    "duties.duty",
]
SHARED_VOCABULARY = ["agencies.region", "agencies.publicholiday", "duties.dutycategory"]
#: An agency editor changes the content of their agencies (names, contacts, hours, duties, sources,
#: description...), never its identity, its place in the hierarchy or whether it is published:
#: these stay read-only for them in forms, reverts, actions and imports.
AGENCY_EDITOR_LOCKED_FIELDS = ("slug", "level", "status", "region", "seat", "parent")


def _grants(models: list[str], actions: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(model, action) for model in models for action in actions]


# (app_label.model, action) pairs; Administrators get every permission that exists.
GROUP_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    EDITORS: _grants(CONTENT_MODELS, ALL)
    + _grants(["agencies.importbatch"], ("view", "change"))
    + _grants(["ingest.ingestedpage"], ("view", "add", "change"))
    + _grants(["ingest.proposedchange"], ("view",))
    + _grants(["portal.correctionreport"], ("view", "change")),
    AGENCY_EDITORS: _grants(["agencies.agency"], ("view", "change"))
    + _grants(AGENCY_RECORDS, ALL)
    + _grants(SHARED_VOCABULARY, ("view",))
    + _grants(["agencies.importbatch"], ("view", "change"))
    + _grants(["ingest.ingestedpage"], ("view", "add", "change"))
    + _grants(["ingest.proposedchange"], ("view",)),
    VIEWERS: _grants(CONTENT_MODELS, ("view",)) + _grants(["agencies.importbatch"], ("view",))
    + _grants(["ingest.ingestedpage", "ingest.proposedchange"], ("view",)),
}
UNRESTRICTED_GROUPS = {ADMINISTRATORS, EDITORS, VIEWERS}


def groups_sync(*, apps=None) -> dict[str, int]:
    """Create the four groups and set exactly their permissions; returns permissions per group.

    `apps` is the migration state's registry inside a data migration, the real one otherwise.
    Permissions of models that do not exist (yet) are skipped."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    counts = {}
    admins, _ = Group.objects.get_or_create(name=ADMINISTRATORS)
    admins.permissions.set(Permission.objects.all())
    counts[ADMINISTRATORS] = admins.permissions.count()
    for name, grants in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for model, action in grants:
            app_label, model_name = model.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=f"{action}_{model_name}"
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)
        counts[name] = len(wanted)
    return counts


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
