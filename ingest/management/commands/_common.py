"""What the ingest commands share: finding the staff user and printing one page's outcome."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from agencies.models import Agency
from ingest.models import IngestedPage


def user_named(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"--user: no user '{username}'.") from None


def agency_slugged(slug: str | None) -> Agency | None:
    if not slug:
        return None
    try:
        return Agency.objects.get(slug=slug)
    except Agency.DoesNotExist:
        raise CommandError(f"--agency: no agency '{slug}'.") from None


def outcome(page: IngestedPage) -> str:
    bureau = page.agency.name if page.agency else f"new bureau: {page}"
    counts = {"add": 0, "change": 0, "remove": 0}
    for change in page.changes.all():
        counts[change.action] += 1
    flagged = sum(1 for change in page.changes.all() if change.flag)
    return (f"page #{page.pk} ({bureau}): {page.get_status_display().lower()}; {counts['add']} to add, "
            f"{counts['change']} to change, {counts['remove']} to remove, {flagged} flagged, "
            f"{len(page.extraction.get('unparsed', []))} lines not read")
