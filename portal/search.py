"""Why a search result matched: the names, region or duty texts that contain the query, as snippets."""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from agencies.models import Agency

SNIPPET_CONTEXT = 70


def highlight(text: str, query: str) -> SafeString:
    """Escape `text` and wrap every case-insensitive occurrence of `query` in <mark>."""
    text = text or ""
    query = (query or "").strip()
    if not query:
        return mark_safe(escape(text))
    pieces = re.split(f"({re.escape(query)})", text, flags=re.IGNORECASE)
    # re.split with one group alternates: text, match, text, match, …
    return mark_safe("".join(
        f"<mark>{escape(piece)}</mark>" if index % 2 else escape(piece) for index, piece in enumerate(pieces)
    ))


def snippet(text: str, query: str, context: int = SNIPPET_CONTEXT) -> str:
    """The part of a long text around the first match, with ellipses where it was cut."""
    position = text.lower().find(query.lower())
    if position < 0 or len(text) <= 2 * context + len(query):
        return text
    start = max(0, position - context)
    end = min(len(text), position + len(query) + context)
    # Cut at a space where there is one near (English); Chinese text has none and is cut anywhere.
    space_after_start = text.find(" ", start, position)
    if start and 0 <= space_after_start - start < 20:
        start = space_after_start + 1
    space_before_end = text.rfind(" ", position + len(query), end)
    if end < len(text) and 0 <= end - space_before_end < 20:
        end = space_before_end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def duty_reference(duty) -> str:
    """How to name a duty in a sentence: its published label without a closing full stop ("10." reads
    "Duty 10", "(3)" stays "Duty (3)"), a sub-item after its item ("Duty (15) (ii)")."""
    labels = [duty.parent.label, duty.label] if duty.parent_id else [duty.label]
    return " ".join(label.rstrip(".．") for label in labels)


@dataclass(frozen=True)
class Match:
    field: str  # translated description: "Name", "Other name", "Region", "Duty (3)"
    text: SafeString
    lang: str


def _contains(text: str, query: str) -> bool:
    return bool(text) and query.lower() in text.lower()


def match_reasons(agency: Agency, query: str, limit: int = 3) -> list[Match]:
    """Needs `with_listing(query)` so that names, region and matching duties are already loaded."""
    query = (query or "").strip()
    if not query:
        return []
    found: list[Match] = []
    for text, lang in ((agency.name, "en"), (agency.name_zh, "zh-Hans")):
        if _contains(text, query):
            found.append(Match(_("Name"), highlight(text, query), lang))
    for other in agency.other_names.all():
        for text, lang in ((other.name, "en"), (other.name_zh, "zh-Hans")):
            if _contains(text, query):
                found.append(Match(_("Also known as"), highlight(text, query), lang))
    regions = [agency.region] + ([agency.region.parent] if agency.region.parent else [])
    for region in regions:
        for text, lang in ((region.name, "en"), (region.name_zh, "zh-Hans")):
            if _contains(text, query):
                found.append(Match(_("Region"), highlight(text, query), lang))
    for duty in getattr(agency, "matching_duties", []):
        found.append(Match(_("Duty %(label)s") % {"label": duty_reference(duty)},
                           highlight(snippet(duty.text, query), query), "en"))
    return found[:limit]
