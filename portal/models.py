"""What citizens send back: correction reports, reviewed by staff in the admin."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

MESSAGE_MAX_LENGTH = 2000


class CorrectionReport(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        FIXED = "fixed", _("Fixed")
        REJECTED = "rejected", _("Rejected")

    # A report about a bureau that no longer exists has nothing left to correct.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="correction_reports")
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH, help_text="What the citizen says is wrong, verbatim.")
    email = models.EmailField(blank=True, help_text="Optional: where the citizen asked to be answered.")
    language = models.CharField(max_length=10, blank=True, help_text="Site language the report was written in.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    staff_note = models.TextField(blank=True, help_text="Internal note: what was checked or changed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.agency} — {self.message[:60]}"
