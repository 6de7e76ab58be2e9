"""Search (issue 8) in-process: site and API `q` for each class of query, the raw index query alone,
index build time and size, write-path overhead with and without the index, and the relevance of the
judgement list (recall, MRR) on the seed bureaus inside the dataset.

`run(size, database_url=None)`: the harness (benchmarks/run.py) has already set Django up on the
dataset; `database_url` is only recorded. Over-HTTP figures beside Datasette are the `http-search` part."""
from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction
from django.test import Client, override_settings

from agencies.models import Agency, Contact
from agencies.signals import agencies_bulk_changed, bulk_write
from benchmarks.report import ms, summary, table
from search import backends
from search.engine import search_agencies
from search.index import index_size, rebuild
from search.query import parse
from search.signals import agencies_bulk_written
from search.synonyms import synonym_groups

REPEAT = 20
REBUILD_UP_TO = 20_000  # above, the dataset's own build time (datasets.py) stands for the rebuild
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def queries() -> list[tuple[str, str]]:
    phone = Contact.objects.filter(agency__is_synthetic=True, kind="office").order_by("pk").values_list(
        "value", flat=True).first() or "0931-8834621"
    return [("common word", "science"), ("rare word", "Huaihua"), ("three words", "foreign experts training"),
            ("2-char Chinese", "怀化"), ("2-char Chinese, common", "科学"), ("phone number", phone),
            ("typo", "Huaihau")]


def _timed(fn, repeat: int = REPEAT) -> dict[str, float]:
    fn()  # warm: first use loads synonyms, vocabulary, statements
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def _cold(fn) -> float:
    """One request right after a write to the search documents (an agency or duty edit): the content
    and index versions move, so nothing the engine remembered (the window, the region list) is of use."""
    from freshness.version import bump
    from search.index import bump_index_version

    with transaction.atomic():
        bump()
        bump_index_version()
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _after_edit(fn) -> float:
    """One request right after one bureau's edit: its document rewritten, the content and index
    versions moved; the windows of the version before are brought up to date, not scored again."""
    from freshness.version import bump
    from search.index import index_agencies

    edited = Agency.objects.order_by("-is_synthetic", "pk").values_list("pk", flat=True).first()
    with transaction.atomic():
        bump()
        index_agencies([edited])
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def query_table() -> None:
    client = Client()
    rows = []
    # The response cache off: these are the engine's and the views' own figures, not cache hits.
    with override_settings(STORAGES=PLAIN_STATIC, DEBUG=False, FRESHNESS_CACHE_RESPONSES=False):
        home = _timed(lambda: client.get("/"))
        api_list = _timed(lambda: client.get("/api/v1/agencies/"))
        rows.append(["(no query: home, API list)", "", "", "", "", ms(home["median"]), ms(home["p95"]), "", "",
                     ms(api_list["median"]), ms(api_list["p95"]), "", ""])
        for label, text in queries():
            results = search_agencies(Agency.objects.published(), text, top_only=True)  # as the site asks
            found = results.queryset[:5001].count()
            parsed = parse(text, synonym_groups())
            site_cold = _cold(lambda t=text: client.get("/", {"q": t}))
            site = _timed(lambda t=text: client.get("/", {"q": t}))
            site_edit = _after_edit(lambda t=text: client.get("/", {"q": t}))
            api_cold = _cold(lambda t=text: client.get("/api/v1/agencies/", {"q": t}))
            api = _timed(lambda t=text: client.get("/api/v1/agencies/", {"q": t}))
            api_edit = _after_edit(lambda t=text: client.get("/api/v1/agencies/", {"q": t}))
            raw = _timed(lambda p=parsed: backends.raw_top(p.clauses, 20))
            note = "corrected" if results.corrected else "partial" if results.partial else ""
            listed = f"best {found:,} of more" if results.capped else f"{found:,}"
            rows.append([label, text, f"{listed} {note}".strip(),
                         ms(site_cold), ms(site_edit), ms(site["median"]), ms(site["p95"]),
                         ms(api_cold), ms(api_edit), ms(api["median"]), ms(api["p95"]),
                         ms(raw["median"]), ms(raw["p95"])])
    table("search", f"Search: server time in-process, n={REPEAT} each (Django test client, no network, "
          "response cache off)",
          ["query", "text", "bureaus", "site cold", "site edit", "site median", "site p95", "API cold", "API edit",
           "API median", "API p95", "index median", "index p95"], rows,
          notes=["target p95 ≤ 30 ms at 100,000 agencies (issue 8)",
                 "cold = the first request after a write of many documents (the index's window is scored again); "
                 "edit = the first after one bureau's edit (the window brought up to date); median and p95 after "
                 "that, until the next write",
                 "index = the engine's whole-ranking query alone: top 20 by rank over every match, no Django"])


def index_table(size: int) -> None:
    rows = []
    if size <= REBUILD_UP_TO:
        started = time.perf_counter()
        written = rebuild()
        rows.append(["rebuild (s)", f"{time.perf_counter() - started:.1f}", f"{written:,} documents"])
    rows.append(["index size (MiB)", f"{index_size() / 2**20:.1f}",
                 "FTS5 shadow tables" if connection.vendor == "sqlite" else "table + GIN index"])
    table("search-index", "Search index", ["figure", "value", "note"], rows)


@contextmanager
def index_paused():
    """The portal as it was before the index: no listener reindexes anything."""
    agencies_bulk_changed.disconnect(agencies_bulk_written)
    try:
        with bulk_write():
            yield
    finally:
        agencies_bulk_changed.connect(agencies_bulk_written)


def _admin_like_save(agency: Agency) -> None:
    with transaction.atomic():
        agency.save()
        duty = agency.duties.first()
        if duty is not None:
            duty.save()


def write_table() -> None:
    from benchmarks import bench_import

    rows = []
    agency = Agency.objects.published().filter(is_synthetic=True).order_by("pk").first()
    with index_paused():
        before = _timed(lambda: _admin_like_save(agency))
    after = _timed(lambda: _admin_like_save(agency))
    rows.append(["save an agency and one duty", ms(before["median"]), ms(after["median"])])
    with tempfile.TemporaryDirectory() as directory:
        agencies_file, _ = bench_import.write_files(Path(directory))
        timings = {}
        for label, paused in (("before", True), ("after", False)):
            bench_import.cleanup()
            started = time.perf_counter()
            if paused:
                with index_paused():
                    bench_import._import("agencies", agencies_file)
            else:
                bench_import._import("agencies", agencies_file)
            timings[label] = time.perf_counter() - started
        bench_import.cleanup()
        bench_import.vacuum_written_tables()  # the two imports' rows are dead tuples now (PostgreSQL)
    rows.append([f"import {bench_import.AGENCIES:,} agencies (new)", f"{timings['before']:.1f} s",
                 f"{timings['after']:.1f} s"])
    table("search-writes", "Write paths without and with the search index (median of saves; one import each)",
          ["write", "before (no index)", "after (indexed)"], rows)


def relevance_table() -> None:
    from tests.search.judgements import JUDGEMENTS, evaluate

    def ranked(text: str) -> list[str]:
        return list(search_agencies(Agency.objects.published(), text).queryset.values_list("slug", flat=True)[:50])

    figures = evaluate(ranked)
    table("search-relevance", "Relevance of the judgement list (seed bureaus inside the dataset)",
          ["queries", "recall", "MRR"], [[len(JUDGEMENTS), f"{figures['recall']:.3f}", f"{figures['mrr']:.3f}"]])


def run(size: int, database_url: str | None = None) -> None:
    query_table()
    index_table(size)
    write_table()
    relevance_table()
