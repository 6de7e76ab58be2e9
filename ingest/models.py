"""An ingested page and the changes it proposes, each decided by staff and kept as provenance."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import Agency


class IngestedPage(models.Model):
    """One copy of a bureau's published page, as read: its text is what every position refers to."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        NO_CHANGES = "no_changes", "Nothing changed"
        APPLIED = "applied", "Reviewed and applied"
        REJECTED = "rejected", "Rejected"
        UNDONE = "undone", "Applied, then undone"

    # A page is evidence of what a bureau published: deleting the agency keeps the page, unlinked.
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="ingested_pages",
        help_text="The bureau the page is about: matched on ingest, or created as a draft when accepted.",
    )
    text = models.TextField(help_text="The page's text as read (HTML parsed to text, never rendered).")
    file_name = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True, help_text="Where the page was fetched from, if fetched.")
    encoding = models.CharField(
        max_length=20, blank=True, help_text="How the bytes were decoded; empty for pasted text."
    )
    is_html = models.BooleanField(default=False)
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Hash of the text, to spot the same copy again.")
    extraction = models.JSONField(default=dict, help_text="Every fact read, with its position in the text.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # Pages outlive the accounts that ingested them.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "no_changes", "applied", "rejected", "undone"]),
                name="ingestedpage_status_valid",
            ),
        ]

    def __str__(self) -> str:
        name = (self.extraction.get("name") or self.extraction.get("name_zh") or {}).get("value", "")
        return f"Page #{self.pk}: {name or self.file_name or 'pasted text'}"

    @property
    def change_reason(self) -> str:
        """Recorded on every history entry the accept writes, so it can be undone as a whole."""
        return f"ingest #{self.pk}"

    @property
    def title(self) -> str:
        return (self.extraction.get("title") or {}).get("value", "")


class ProposedChange(models.Model):
    """One field, name, contact, hours row, duty or source the page adds, changes or removes."""

    class Kind(models.TextChoices):
        FIELD = "field", "Field"
        OTHER_NAME = "other_name", "Other name"
        CONTACT = "contact", "Contact"
        HOURS = "hours", "Office hours"
        DUTY = "duty", "Duty"
        SOURCE = "source", "Source"

    class Action(models.TextChoices):
        ADD = "add", "Add"
        CHANGE = "change", "Change"
        REMOVE = "remove", "Remove"

    class Decision(models.TextChoices):
        PENDING = "pending", "Not decided"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    page = models.ForeignKey(IngestedPage, on_delete=models.CASCADE, related_name="changes")
    position = models.PositiveIntegerField(help_text="Order on the review page.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, help_text="What is changed, e.g. 'address' or 'duty (17) 2.'.")
    action = models.CharField(max_length=10, choices=Action.choices)
    current = models.JSONField(null=True, blank=True, help_text="The record's value now (none for an addition).")
    proposed = models.JSONField(null=True, blank=True, help_text="The page's value (none for a removal).")
    edited = models.JSONField(null=True, blank=True, help_text="Staff's edit of the proposed value, if any.")
    start = models.PositiveIntegerField(null=True, blank=True, help_text="Where the fact starts in the page text.")
    end = models.PositiveIntegerField(null=True, blank=True)
    flag = models.CharField(max_length=300, blank=True, help_text="What staff must decide (e.g. no days published).")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    applied_pk = models.BigIntegerField(null=True, blank=True, help_text="The record the accepted fact was written to.")

    class Meta:
        ordering = ["page", "position"]
        constraints = [
            models.UniqueConstraint(fields=["page", "key"], name="proposedchange_unique_key"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__gte=models.F("start")), name="proposedchange_span_ordered"
            ),
            models.CheckConstraint(
                condition=Q(action="remove") | Q(proposed__isnull=False), name="proposedchange_has_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.key}"

    @property
    def value(self):
        """What accepting writes: staff's edit if any, else the page's value."""
        return self.edited if self.edited is not None else self.proposed

    @property
    def source_excerpt(self) -> str:
        if self.start is None:
            return ""
        return self.page.text[self.start:self.end]
