"""Spreadsheet import and export of duties and the shared duty categories (see agencies.resources)."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import F
from django.db.models.functions import Coalesce
from import_export import fields, widgets

from agencies.resources import StaffResource, _canonical, agency_field
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


class CategorySlugsWidget(widgets.ManyToManyWidget):
    """A duty's categories as their slugs in one cell, separated by commas (semicolons or spaces work
    too), looked up once per import. An unknown slug is an error, never silently dropped."""

    SEPARATORS = re.compile(r"[\s,;，；]+")

    def __init__(self, **kwargs):
        super().__init__(DutyCategory, separator=", ", field="slug", **kwargs)
        self._by_slug: dict[str, DutyCategory] | None = None

    def clean(self, value, row=None, **kwargs) -> list[DutyCategory]:
        if self._by_slug is None:
            self._by_slug = {category.slug: category for category in DutyCategory.objects.all()}
        slugs = [slug for slug in self.SEPARATORS.split(_canonical(value)) if slug]
        unknown = [slug for slug in slugs if slug not in self._by_slug]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not the slug of any duty category.")
        return list(dict.fromkeys(self._by_slug[slug] for slug in slugs))

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else self.separator.join(category.slug for category in value.all())


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
    categories = fields.Field(column_name="categories", attribute="categories", widget=CategorySlugsWidget())
    self_parent = "parent"

    class Meta(StaffResource.Meta):
        model = Duty
        name = "duties"
        fields = ["agency", "parent", "position", "label", "text", "categories"]
        import_id_fields = ["agency", "parent", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The library writes many-to-many fields row by row only, never in bulk: the categories a
        # row names wait here (by instance) and are written after the duties, in after_import.
        self._pending_categories: dict[int, tuple[Duty, list[DutyCategory]]] = {}
        self._loaded_categories: dict[int, list[int]] = {}

    def get_queryset(self):
        # Reading order: each item followed by its sub-items, so a file can be imported top-down.
        return Duty.objects.select_related("agency", "parent").prefetch_related("categories").order_by(
            "agency__slug", Coalesce("parent__position", "position"), F("parent").asc(nulls_first=True), "position"
        )

    def get_bulk_update_fields(self):
        return ["label", "text"]

    def loader_queryset(self):
        # The loader holds every duty of the file's agencies: plain rows, without a copy of the agency
        # (the agency column's widget has them) or of the parent (it is among the rows) per duty.
        return super().loader_queryset().select_related(None).prefetch_related(None)

    def after_load(self, instances):
        for duty in instances.values():
            if duty.parent_id is not None and duty.parent_id in instances:
                duty._state.fields_cache["parent"] = instances[duty.parent_id]
        # Each loaded duty's categories, as sorted ids, for the unchanged-row comparison.
        Link = Duty.categories.through
        duty_ids = sorted(instances)
        self._loaded_categories = {}
        for start in range(0, len(duty_ids), 5000):
            for duty_id, category_id in Link.objects.filter(duty_id__in=duty_ids[start:start + 5000]).order_by(
                    "duty_id", "dutycategory_id").values_list("duty_id", "dutycategory_id"):
                self._loaded_categories.setdefault(duty_id, []).append(category_id)

    def before_import(self, dataset, **kwargs):
        # Files from before duties had several categories name one slug in a "category" column.
        headers = list(dataset.headers or [])
        if "category" in headers and "categories" not in headers:
            dataset.headers = ["categories" if header == "category" else header for header in headers]
        self._pending_categories.clear()
        self.fields["categories"].widget._by_slug = None
        super().before_import(dataset, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        field = self.fields["categories"]
        if field.column_name in row:
            try:
                self._pending_categories[id(instance)] = (instance, field.clean(row))
            except ValueError as error:
                errors.setdefault("categories", []).append(ValidationError(str(error), code="invalid"))
        if errors:
            raise ValidationError(errors)

    def _field_values(self, instance):
        values = super()._field_values(instance)
        pending = self._pending_categories.get(id(instance))
        if pending is not None:
            values["categories"] = sorted(category.pk for category in pending[1])
        elif instance.pk is not None:
            values["categories"] = self._loaded_categories.get(instance.pk, [])
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        if skip:
            self._pending_categories.pop(id(instance), None)
        return skip

    def after_import(self, dataset, result, **kwargs):
        writes = kwargs.get("using_transactions") or not kwargs.get("dry_run")
        if writes and not result.has_errors() and not result.has_validation_errors():
            self._links_write([(duty, categories) for duty, categories in self._pending_categories.values()
                               if duty.pk])
        self._pending_categories.clear()
        super().after_import(dataset, result, **kwargs)

    def _links_write(self, pending: list[tuple[Duty, list[DutyCategory]]]) -> None:
        """Replace the categories of these duties: plain pairs of ids, no model instance per link (the
        table carries no history), many rows per statement (on PostgreSQL each statement also moves the
        content version once)."""
        Link = Duty.categories.through
        loaded = self.loader.by_id if self.loader is not None else None
        # Duties this import created have no links yet: only the loaded ones can have old ones.
        stale = [duty.pk for duty, _ in pending if loaded is None or duty.pk in loaded]
        for start in range(0, len(stale), 5000):
            Link.objects.filter(duty_id__in=stale[start:start + 5000]).delete()
        database = connections[router.db_for_write(Link)]
        quote = database.ops.quote_name
        table = quote(Link._meta.db_table)
        columns = ", ".join(quote(Link._meta.get_field(name).column) for name in ("duty", "dutycategory"))
        links = [(duty.pk, category.pk) for duty, categories in pending for category in categories]
        postgres = database.vendor == "postgresql"
        per_statement = 10000 if postgres else min(1000, (database.features.max_query_params or 2000) // 2)
        with database.cursor() as cursor:
            for start in range(0, len(links), per_statement):
                chunk = links[start:start + per_statement]
                if postgres:  # two arrays, not a placeholder per value (see agencies.resources.rows_insert)
                    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST(%s::bigint[], %s::bigint[])",
                                   [[duty for duty, _ in chunk], [category for _, category in chunk]])
                else:
                    cursor.execute(f"INSERT INTO {table} ({columns}) VALUES " + ", ".join(["(%s, %s)"] * len(chunk)),
                                   [value for link in chunk for value in link])
