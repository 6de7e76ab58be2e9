"""Duties on their own pages (lists across agencies, import and export), and inline on the agency page."""
from django import forms
from django.contrib import admin
from django.db.models import F
from django.db.models.functions import Coalesce

from agencies.admin import (
    AgencyAdmin,
    AgencyNameInline,
    ContactInline,
    OfficeHoursInline,
    RecordInline,
    SourceInline,
    SpecialDayInline,
    StaffAdmin,
)
from agencies.models import Agency
from duties.models import Duty, DutyCategory
from duties.resources import DutyCategoryResource, DutyResource


@admin.register(Duty)
class DutyAdmin(StaffAdmin):
    resource_classes = [DutyResource]
    list_display = ["agency", "label", "short_text", "category_names", "parent", "position"]
    list_filter = ["categories", "agency__status"]
    search_fields = ["text", "label", "agency__name", "agency__name_zh", "agency__slug"]
    list_select_related = ["agency", "parent"]
    autocomplete_fields = ["agency", "parent", "categories"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description="Text")
    def short_text(self, duty: Duty) -> str:
        return duty.text[:80]

    @admin.display(description="Categories")
    def category_names(self, duty: Duty) -> str:
        return ", ".join(category.name for category in duty.categories.all()) or "not categorised"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = self.get_queryset(request).filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DutyCategory)
class DutyCategoryAdmin(StaffAdmin):
    agency_path = None
    resource_classes = [DutyCategoryResource]
    list_display = ["name", "name_zh", "slug", "position"]
    search_fields = ["name", "name_zh", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_deleted_objects(self, objs, request):
        # Show the refusal on the confirmation page (protect_categories_in_use would refuse anyway).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for category in objs:
            if in_use := category.duties.count():
                protected.append(f"Duty category: {category} (used by {in_use} duties)")
        return deleted, counts, perms_needed, protected


class DutyInline(RecordInline):
    """Duties in published order; a sub-item names its item as parent."""

    model = Duty
    fields = ["position", "parent", "label", "text", "categories"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .select_related("parent").prefetch_related("categories")
            .order_by(Coalesce("parent__position", "position"), F("parent").asc(nulls_first=True), "position")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            agency_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Duty.objects.filter(agency_id=agency_id, parent__isnull=True).order_by("position")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["text"].widget = forms.Textarea(attrs={"rows": 2, "cols": 60})
        # One query for each select's options, not one per duty row: every row offers the same ones.
        for name in ("parent", "categories"):
            field = formset.form.base_fields[name]
            field.choices = list(field.choices)
            if hasattr(field.widget, "widget"):  # the admin's add/change-related wrapper
                field.widget.widget.choices = field.choices
        return formset


# The agency page, with its duties between its special days and its sources. The agencies app does not
# know duties (they build on it), so this app registers the page again with its inline, as
# agencies/admin.py does for the user page.
admin.site.unregister(Agency)


@admin.register(Agency)
class AgencyWithDutiesAdmin(AgencyAdmin):
    inlines = [AgencyNameInline, ContactInline, OfficeHoursInline, SpecialDayInline, DutyInline, SourceInline]
