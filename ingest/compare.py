"""A page's facts against a bureau's current record: what to propose, and how well we read.

Both sides become the same plain shape (`record`): scalar fields, other names, contacts, hours,
duties with their sub-items, and the source. `propose` lists what differs; `score` counts
field-level precision and recall for `manage.py ingest_eval` and the tests."""
from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from dataclasses import dataclass

from ingest.rules import Extraction, Fact

FIELDS = ("name", "name_zh", "rank", "description", "address", "postcode", "website")
SOURCE_FIELDS = ("title", "origin", "page_date", "translator")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Proposal:
    kind: str
    key: str
    action: str
    current: object
    proposed: object
    start: int | None = None
    end: int | None = None
    flag: str = ""


# --- one shape for both sides -----------------------------------------------------------------------


def record_from_agency(agency) -> dict:
    """The agency's current record (what a page is compared against)."""
    duties = []
    top = agency.duties.filter(parent__isnull=True).order_by("position").prefetch_related("children")
    for duty in top:
        children = sorted(duty.children.all(), key=lambda child: child.position)
        duties.append({"label": duty.label, "text": duty.text,
                       "children": [{"label": child.label, "text": child.text} for child in children]})
    return {
        **{name: getattr(agency, name) or "" for name in FIELDS},
        "other_names": [{"name": other.name, "name_zh": other.name_zh} for other in agency.other_names.all()],
        "contacts": [{"kind": c.kind, "label": c.label, "value": c.value, "e164": c.e164}
                     for c in agency.contacts.all()],
        "hours": [hours_value(h.weekdays, h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M"), h.season_name,
                              h.season_name_zh, h.valid_from, h.valid_through) for h in agency.office_hours.all()],
        "duties": duties,
        "sources": [{"title": s.title, "origin": s.origin, "page_date": s.page_date.isoformat() if s.page_date else "",
                     "translator": s.translator} for s in agency.sources.all()],
    }


def hours_value(weekdays, opens, closes, season_name="", season_name_zh="", valid_from="", valid_through="") -> dict:
    return {"weekdays": weekdays, "opens": opens, "closes": closes, "season_name": season_name,
            "season_name_zh": season_name_zh, "valid_from": valid_from, "valid_through": valid_through}


def other_name_value(name: str) -> dict:
    return {"name": name, "name_zh": name if CJK.search(name) else ""}


def record_from_extraction(extraction: Extraction) -> dict:
    def scalar(name):
        fact = getattr(extraction, name)
        return fact.value if fact else ""

    source = {name: scalar(name) for name in SOURCE_FIELDS}
    return {
        **{name: scalar(name) for name in FIELDS},
        "other_names": [other_name_value(fact.value) for fact in extraction.other_names],
        "contacts": [dict(fact.value) for fact in extraction.contacts],
        "hours": [dict(fact.value) for fact in extraction.hours],
        "duties": [{**duty.value, "children": [dict(child.value) for child in duty.children]}
                   for duty in extraction.duties],
        "sources": [source] if any(source.values()) else [],
    }


# --- proposals --------------------------------------------------------------------------------------


def contact_key(value: dict) -> str:
    return f"contact {value['label']}: {value['value']}"


def hours_key(value: dict) -> str:
    season = value["season_name"] or value["season_name_zh"] or "all year"
    days = value["weekdays"] or "days not published"
    return f"hours {season} {value['opens']}–{value['closes']} ({days})"


def hours_match(found: dict, current: dict) -> bool:
    """Same interval and season; hours published without days match whatever days staff chose."""
    keys = ("opens", "closes", "season_name", "valid_from", "valid_through")
    if any(found[key] != current[key] for key in keys):
        return False
    return found["weekdays"] is None or found["weekdays"] == current["weekdays"]


def _facts_by_value(facts: list[Fact]) -> list[tuple[dict, Fact]]:
    return [(fact.value, fact) for fact in facts]


def propose(extraction: Extraction, current: dict | None) -> list[Proposal]:
    """What the page would change in the record (everything, for a new bureau). The same page
    against the record it produced proposes nothing."""
    current = current or {name: "" for name in FIELDS} | {
        "other_names": [], "contacts": [], "hours": [], "duties": [], "sources": []}
    proposals: list[Proposal] = []
    for name in FIELDS:
        fact = getattr(extraction, name)
        if fact and fact.value != current[name]:
            action = "change" if current[name] else "add"
            proposals.append(Proposal("field", name, action, current[name] or None, fact.value, fact.start, fact.end))
    if extraction.other_names:
        known = {other["name"] for other in current["other_names"]} | {
            other["name_zh"] for other in current["other_names"] if other["name_zh"]}
        found = set()
        for fact in extraction.other_names:
            found.add(fact.value)
            if fact.value not in known:
                proposals.append(Proposal("other_name", f"other name {fact.value}", "add", None,
                                          other_name_value(fact.value), fact.start, fact.end))
        for other in current["other_names"]:
            if other["name"] not in found and other["name_zh"] not in found:
                proposals.append(Proposal("other_name", f"other name {other['name']}", "remove", other, None))
    if extraction.contacts:
        wanted = {contact_key(fact.value): fact for fact in extraction.contacts}
        have = {contact_key(contact): contact for contact in current["contacts"]}
        for key, fact in wanted.items():
            if key not in have or have[key]["kind"] != fact.value["kind"]:
                proposals.append(Proposal("contact", key, "change" if key in have else "add", have.get(key),
                                          fact.value, fact.start, fact.end, fact.flag))
        for key, contact in have.items():
            if key not in wanted:
                proposals.append(Proposal("contact", key, "remove", contact, None))
    if extraction.hours:
        unmatched = list(current["hours"])
        for fact in extraction.hours:
            match = next((row for row in unmatched if hours_match(fact.value, row)), None)
            if match is not None:
                unmatched.remove(match)
                continue
            proposals.append(Proposal("hours", hours_key(fact.value), "add", None, fact.value, fact.start, fact.end,
                                      fact.flag))
        for row in unmatched:
            proposals.append(Proposal("hours", hours_key(row), "remove", row, None))
    if extraction.duties:
        proposals.extend(propose_duties(extraction.duties, current["duties"]))
    source = record_from_extraction(extraction)["sources"]
    if source and source[0] not in current["sources"]:
        # The page's date is what tells one copy from the next; else its title (or address, translator).
        fact = next(getattr(extraction, name) for name in ("page_date", "title", "origin", "translator")
                    if getattr(extraction, name))
        proposals.append(Proposal("source", "source", "add", None, source[0], fact.start, fact.end))
    return proposals


def propose_duties(found: list[Fact], current: list[dict]) -> list[Proposal]:
    """Duties added, removed or reworded, matched by their published label (sub-items under theirs)."""
    proposals = []
    have = {duty["label"]: duty for duty in current}
    seen = set()
    for position, fact in enumerate(found, start=1):
        label = fact.value["label"]
        seen.add(label)
        old = have.get(label)
        value = {"label": label, "text": fact.value["text"], "position": position, "parent": None}
        key = f"duty {label}"
        if old is None:
            proposals.append(Proposal("duty", key, "add", None, value, fact.start, fact.end, fact.flag))
        elif old["text"] != fact.value["text"]:
            proposals.append(Proposal("duty", key, "change", {"label": label, "text": old["text"]}, value,
                                      fact.start, fact.end, fact.flag))
        old_children = {child["label"]: child for child in (old or {}).get("children", [])}
        seen_children = set()
        for child_position, child in enumerate(fact.children, start=1):
            child_label = child.value["label"]
            seen_children.add(child_label)
            child_value = {"label": child_label, "text": child.value["text"], "position": child_position,
                           "parent": label}
            child_key = f"duty {label} {child_label}"
            previous = old_children.get(child_label)
            if previous is None:
                proposals.append(Proposal("duty", child_key, "add", None, child_value, child.start, child.end,
                                          child.flag))
            elif previous["text"] != child.value["text"]:
                proposals.append(Proposal("duty", child_key, "change", {"label": child_label, "text": previous["text"]},
                                          child_value, child.start, child.end, child.flag))
        for child_label, previous in old_children.items():
            if child_label not in seen_children:
                proposals.append(Proposal("duty", f"duty {label} {child_label}", "remove",
                                          {"label": child_label, "text": previous["text"], "parent": label}, None))
    for label, old in have.items():
        if label not in seen:
            proposals.append(Proposal("duty", f"duty {label}", "remove",
                                      {"label": label, "text": old["text"], "parent": None}, None))
    return proposals


def word_diff(old: str, new: str) -> str:
    """HTML of a word-level diff: <del> for words gone, <ins> for words added (all text escaped)."""
    old_words, new_words = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    if CJK.search(old + new):  # Chinese has no spaces between words: compare character by character
        old_words, new_words = list(old), list(new)
    out = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            out.append(f"<del>{html.escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{html.escape(''.join(new_words[b1:b2]))}</ins>")
    return "".join(out)


# --- evaluation -------------------------------------------------------------------------------------

KINDS = (*FIELDS, "other_names", "contacts", "hours", "duties", *SOURCE_FIELDS)


def facts_of(record: dict, *, hours_without_days: bool = False) -> dict[str, Counter]:
    """Every countable fact of a record, per kind (a multiset: one page may repeat a number)."""
    facts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for name in FIELDS:
        if record.get(name):
            facts[name][record[name]] += 1
    for other in record.get("other_names", []):
        facts["other_names"][other["name"]] += 1
    for contact in record.get("contacts", []):
        facts["contacts"][(contact["kind"], contact["label"], contact["value"], contact["e164"])] += 1
    for row in record.get("hours", []):
        days = None if hours_without_days else row["weekdays"]
        facts["hours"][(days, row["opens"], row["closes"], row["season_name"], row["season_name_zh"],
                        row["valid_from"], row["valid_through"])] += 1
    for duty in record.get("duties", []):
        facts["duties"][("", duty["label"], duty["text"])] += 1
        for child in duty.get("children", []):
            facts["duties"][(duty["label"], child["label"], child["text"])] += 1
    for source in record.get("sources", [])[:1]:
        for name in SOURCE_FIELDS:
            if source.get(name):
                facts[name][source[name]] += 1
    return facts


def score(expected: dict, found: dict, *, exclude: set[str] = frozenset()) -> dict[str, tuple[int, int, int]]:
    """Per kind: (facts right, facts expected, facts found). Hours read without days are compared on
    their times and seasons only: the days stay with staff (flagged), never assumed."""
    without_days = any(row["weekdays"] is None for row in found.get("hours", []))
    want = facts_of(expected, hours_without_days=without_days)
    got = facts_of(found, hours_without_days=without_days)
    return {kind: (sum((want[kind] & got[kind]).values()), sum(want[kind].values()), sum(got[kind].values()))
            for kind in KINDS if kind not in exclude}


def precision_recall(right: int, expected: int, found: int) -> tuple[float, float]:
    precision = right / found if found else 1.0
    recall = right / expected if expected else 1.0
    return precision, recall
