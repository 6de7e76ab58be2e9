"""How well ingest reads pages whose right answer we know: the five seed pages against the seed
fixtures, and the invented test corpus against its `expected.json`."""
from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from ingest.compare import KINDS, facts_of, precision_recall, record_from_extraction, score
from ingest.reading import read_page
from ingest.rules import extract

# What the seed pages do not carry: it stays with staff and is not counted.
SEED_EXCLUDED = {"name_zh": "the pages are in English; Chinese names come from staff"}


@dataclass
class PageScore:
    name: str
    counts: dict[str, tuple[int, int, int]]
    missing: list[str] = field(default_factory=list)  # expected, not read
    wrong: list[str] = field(default_factory=list)  # read, not expected
    flags: list[str] = field(default_factory=list)


@dataclass
class Evaluation:
    pages: list[PageScore]

    def totals(self) -> dict[str, tuple[int, int, int]]:
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for page in self.pages:
            for kind, counts in page.counts.items():
                for i in range(3):
                    sums[kind][i] += counts[i]
        return {kind: tuple(sums[kind]) for kind in KINDS if kind in sums}

    def per_kind(self) -> dict[str, tuple[float, float]]:
        return {kind: precision_recall(*counts) for kind, counts in self.totals().items()}

    @property
    def perfect(self) -> bool:
        return all(p == 1.0 and r == 1.0 for p, r in self.per_kind().values())


def seeds_dir() -> Path:
    """`../shared/seeds` beside the checkout, or where $SEEDS_DIR says (a clone elsewhere)."""
    return Path(os.environ.get("SEEDS_DIR") or settings.BASE_DIR.parent / "shared" / "seeds")


def fixture_records(path: Path | None = None) -> dict[str, dict]:
    """Seed file name → the record the fixtures hold for it (what the page says, transcribed)."""
    rows = json.loads((path or settings.BASE_DIR / "fixtures" / "agencies.json").read_text(encoding="utf-8"))
    agencies, files = {}, {}
    for row in rows:
        fields = row["fields"]
        if row["model"] == "agencies.agency":
            agencies[fields["slug"]] = {name: fields.get(name, "") or "" for name in
                                        ("name", "name_zh", "rank", "description", "address", "postcode",
                                         "website")} | {"other_names": [], "contacts": [], "hours": [],
                                                        "duties": [], "sources": []}
    duty_by_pk = {}
    for row in rows:
        fields, model = row["fields"], row["model"]
        if model == "agencies.agency":
            continue
        record = agencies[fields["agency"][0]]
        if model == "agencies.agencyname":
            record["other_names"].append({"name": fields["name"], "name_zh": fields["name_zh"]})
        elif model == "agencies.contact":
            record["contacts"].append({key: fields[key] for key in ("kind", "label", "value", "e164")})
        elif model == "agencies.officehours":
            record["hours"].append({**{key: fields[key] for key in ("weekdays", "season_name", "season_name_zh",
                                                                    "valid_from", "valid_through")},
                                    "opens": fields["opens"][:5], "closes": fields["closes"][:5]})
        elif model == "agencies.source":
            record["sources"].append({"title": fields["title"], "origin": fields["origin"],
                                      "page_date": fields["page_date"] or "", "translator": fields["translator"]})
            files[Path(fields["reference"]).name] = fields["agency"][0]
        elif model == "duties.duty":
            duty = {"label": fields["label"], "text": fields["text"], "children": []}
            duty_by_pk[row["pk"]] = duty
            if fields["parent"] is None:
                record["duties"].append(duty)
            else:
                duty_by_pk[fields["parent"]]["children"].append(duty)
    return {name: agencies[slug] for name, slug in files.items()}


def page_score(name: str, text: str, expected: dict, exclude: set[str]) -> PageScore:
    extraction = extract(text)
    found = record_from_extraction(extraction)
    counts = score(expected, found, exclude=exclude)
    without_days = any(row["weekdays"] is None for row in found["hours"])
    want = facts_of(expected, hours_without_days=without_days)
    got = facts_of(found, hours_without_days=without_days)
    result = PageScore(name, counts)
    for kind in counts:
        result.missing += [f"{kind}: {fact}" for fact in (want[kind] - got[kind])]
        result.wrong += [f"{kind}: {fact}" for fact in (got[kind] - want[kind])]
    if without_days:
        result.flags.append("hours: the page gives times but no days (left for staff, not counted)")
    return result


def evaluate_seeds(directory: Path | None = None) -> Evaluation:
    directory = directory or seeds_dir()
    expected = fixture_records()
    pages = []
    for name, record in sorted(expected.items()):
        text = read_page((directory / name).read_bytes()).text
        pages.append(page_score(name, text, record, set(SEED_EXCLUDED)))
    return Evaluation(pages)


def evaluate_corpus(directory: Path) -> Evaluation:
    """Pages in `directory` with their right answers in `expected.json` (file → record, plus
    optional "encoding" and "exclude")."""
    answers = json.loads((directory / "expected.json").read_text(encoding="utf-8"))
    pages = []
    for name, answer in sorted(answers.items()):
        text = read_page((directory / name).read_bytes(), encoding=answer.get("encoding")).text
        record = {key: answer.get(key, "" if key not in ("other_names", "contacts", "hours", "duties", "sources")
                                  else []) for key in (*KINDS, "other_names", "contacts", "hours", "duties", "sources")}
        pages.append(page_score(name, text, record, set(answer.get("exclude", []))))
    return Evaluation(pages)
