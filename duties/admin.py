"""Duties on their own pages (lists across agencies, import and export); the agency page edits them inline."""
from django.contrib import admin

from agencies.admin import StaffAdmin
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
