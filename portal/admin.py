from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.models import CorrectionReport

# The staff back office says whose it is (not "Django administration").
admin.site.site_header = _("Bureau portal · staff")
admin.site.site_title = _("Bureau portal staff")
admin.site.index_title = _("Records of the bureau portal")


@admin.register(CorrectionReport)
class CorrectionReportAdmin(admin.ModelAdmin):
    """The review queue: newest unresolved reports first."""

    list_display = ["created_at", "agency", "short_message", "email", "status"]
    list_filter = ["status", "language"]
    list_editable = ["status"]
    search_fields = ["message", "email", "agency__name", "agency__name_zh"]
    readonly_fields = ["agency", "message", "email", "language", "created_at", "updated_at"]
    fields = ["agency", "message", "email", "language", "created_at", "status", "staff_note", "updated_at"]
    list_select_related = ["agency"]
    date_hierarchy = "created_at"

    @admin.display(description="Message")
    def short_message(self, report: CorrectionReport) -> str:
        return report.message[:80]

    def has_add_permission(self, request) -> bool:
        return False
