"""What the review page shows: the page's text with every fact marked at its place (escaped text,
never the page's HTML) and one row per proposed change."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ingest.compare import word_diff
from ingest.models import IngestedPage, ProposedChange
from ingest.rules import Extraction

WEEKDAY_CHOICES = [("12345", "Monday–Friday"), ("123456", "Monday–Saturday"), ("1234567", "Every day")]


def highlighted_source(page: IngestedPage, changes: list[ProposedChange]) -> SafeString:
    """Escaped page text; facts in <mark> (a proposed change links to its row), unparsed lines dimmed."""
    extraction = Extraction.from_json(page.extraction)
    marks: list[tuple[int, int, str, str]] = []
    by_span = {(change.start, change.end): change for change in changes if change.start is not None}
    for start, end, kind in extraction.spans():
        change = by_span.get((start, end))
        marks.append((start, end, kind, f"change-{change.pk}" if change else ""))
    for change in changes:
        if change.start is not None and not any(m[0] == change.start and m[1] == change.end for m in marks):
            marks.append((change.start, change.end, change.kind, f"change-{change.pk}"))
    marks += [(start, end, "unparsed", "") for start, end in extraction.unparsed]
    marks.sort(key=lambda mark: (mark[0], -mark[1]))
    text, out, pos = page.text, [], 0
    for start, end, kind, anchor in marks:
        if start < pos or end <= start:
            continue  # a fact inside another (the website inside its contact line) is marked once
        out.append(escape(text[pos:start]))
        piece = escape(text[start:end])
        if kind == "unparsed":
            out.append(f'<span class="unparsed" title="Not read: check it by hand">{piece}</span>')
        else:
            cls = f"fact fact-{kind}" + (" proposed" if anchor else "")
            link = f' data-change="{anchor}"' if anchor else ""
            out.append(f'<mark class="{cls}" title="{escape(kind)}"{link}>{piece}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece of page text above is escaped


@dataclass
class Row:
    change: ProposedChange
    current: str
    proposed: str
    diff: SafeString | None
    editable: str  # "text", "weekdays", "" (shown, not edited)
    offers_categories: bool
    excerpt: str


def describe(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "field":
        return str(value)
    if kind == "other_name":
        return value["name"]
    if kind == "contact":
        return f"{value['label']}: {value['value']} ({value['kind']})"
    if kind == "hours":
        season = f"{value['season_name']} ({value['valid_from']} – {value['valid_through']}) " if value[
            "valid_from"] else ""
        days = value["weekdays"] or "days not published"
        return f"{season}{value['opens']}–{value['closes']}, {days}"
    if kind == "duty":
        return f"{value['label']} {value['text']}"
    if kind == "source":
        names = ("title", "origin", "page_date", "translator")
        return "; ".join(f"{name}: {value[name]}" for name in names if value[name])
    return str(value)


def rows(page: IngestedPage, changes: list[ProposedChange]) -> list[Row]:
    result = []
    for change in changes:
        diff = None
        if change.kind == "duty" and change.action == "change":
            diff = mark_safe(word_diff(change.current["text"], change.proposed["text"]))  # noqa: S308 — escaped
        elif change.kind == "field" and change.action == "change":
            diff = mark_safe(word_diff(change.current or "", change.proposed or ""))  # noqa: S308 — escaped
        editable = ""
        if change.action != "remove":
            if change.kind in {"field", "duty"}:
                editable = "text"
            elif change.kind == "contact":
                editable = "contact"
            elif change.kind == "hours" and not change.proposed.get("weekdays"):
                editable = "weekdays"
        offers_categories = change.kind == "duty" and change.action == "add"
        result.append(Row(change, describe(change.kind, change.current), describe(change.kind, change.value),
                          diff, editable, offers_categories, change.source_excerpt))
    return result
