"""Why a search result matched, for the site's templates: the engine's highlighting (search.highlight)
applied to a query string."""
from __future__ import annotations

from django.utils.safestring import SafeString

from search.highlight import Match, cut, marked, match_reasons, spans
from search.query import ParsedQuery, parse

__all__ = ["Match", "duty_reference", "highlight", "match_reasons", "snippet"]


def _parsed(query: str | ParsedQuery) -> ParsedQuery:
    return query if isinstance(query, ParsedQuery) else parse(query or "")


def highlight(text: str, query: str | ParsedQuery) -> SafeString:
    """Escape `text` and wrap in <mark> what the query matches there (as the engine matched it)."""
    text = text or ""
    return marked(text, spans(text, _parsed(query).phrases))


def snippet(text: str, query: str | ParsedQuery) -> str:
    """The part of a long text around the first match, with ellipses where it was cut."""
    return cut(text, spans(text, _parsed(query).phrases))[0]


def duty_reference(duty) -> str:
    """How to name a duty in a sentence: its published label without a closing full stop ("10." reads
    "Duty 10", "(3)" stays "Duty (3)"), a sub-item after its item ("Duty (15) (ii)")."""
    labels = [duty.parent.label, duty.label] if duty.parent_id else [duty.label]
    return " ".join(label.rstrip(".．") for label in labels)
