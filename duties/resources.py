"""Spreadsheet import and export of duties and the shared duty categories (see agencies.resources)."""
from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Coalesce
from import_export import fields, widgets

from agencies.resources import NaturalKeyWidget, StaffResource, _canonical, agency_field
from duties.models import Duty, DutyCategory


class DutyParentWidget(widgets.Widget):
    """A sub-item's parent, written as the position of the agency's top-level item it belongs to."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.resource: StaffResource | None = None

    def clean(self, value, row=None, **kwargs):
        position = _canonical(value)
        if not position:
            return None
        agency = _canonical((row or {}).get("agency"))
        parent = self.resource.loader.instances.get((agency, "", position)) if self.resource.loader else None
        if parent is None:
            raise ValueError(
                f"'{position}' is not the position of a top-level duty of this agency "
                "(list an item before its sub-items)."
            )
        return parent

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.position

    def instance_key_part(self, instance, attribute: str) -> str:
        if instance.parent_id is None and instance._state.fields_cache.get("parent") is None:
            return ""
        parent = instance._state.fields_cache.get("parent") or self.resource.loader.by_id[instance.parent_id]
        return _canonical(parent.position)


class DutyCategoryResource(StaffResource):
    agency_path = None

    class Meta(StaffResource.Meta):
        model = DutyCategory
        name = "duty categories"
        fields = ["slug", "name", "name_zh", "description", "position"]
        import_id_fields = ["slug"]

    def get_queryset(self):
        return DutyCategory.objects.order_by("position", "slug")


class DutyResource(StaffResource):
    agency = agency_field()
    parent = fields.Field(column_name="parent", attribute="parent", widget=DutyParentWidget())
    category = fields.Field(column_name="category", attribute="category", widget=NaturalKeyWidget(DutyCategory, "slug"))
    self_parent = "parent"

    class Meta(StaffResource.Meta):
        model = Duty
        name = "duties"
        fields = ["agency", "parent", "position", "label", "text", "category"]
        import_id_fields = ["agency", "parent", "position"]

    def get_queryset(self):
        # Reading order: each item followed by its sub-items, so a file can be imported top-down.
        return Duty.objects.select_related("agency", "parent", "category").order_by(
            "agency__slug", Coalesce("parent__position", "position"), F("parent").asc(nulls_first=True), "position"
        )

    def get_bulk_update_fields(self):
        return ["label", "text", "category"]
