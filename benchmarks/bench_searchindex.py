"""The search engine in-process (issue 8): the bare index query, the engine's count and its whole first
page, for the same queries as the `http-search` part — without HTTP, views or templates.

Skipped, and said so, where the search engine (the `search` app) is not there yet."""
from __future__ import annotations

import time

from agencies.models import Agency
from benchmarks import datasets
from benchmarks.report import ms, summary, table

REPEAT = 10
BUDGET_S = 15.0


def _timed(fn) -> tuple[dict, object]:
    samples, result, stop = [], None, time.perf_counter() + BUDGET_S
    for _ in range(REPEAT):
        if samples and time.perf_counter() > stop:
            break
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples), result


def _cell(figures: dict) -> str:
    return f"{ms(figures['median'])} / {ms(figures['p95'])}"


def run(size: int) -> None:
    from django.db import connection

    try:
        from search import backends
        from search.engine import search_agencies
        from search.query import parse
        from search.synonyms import synonym_groups
    except ImportError as error:
        table("searchindex", "Search engine in-process", ["figure", "value"], [],
              [f"no search engine to measure ({error})"])
        return
    from benchmarks.served import search_queries

    engine = "postgres" if connection.vendor == "postgresql" else "sqlite"
    sample = datasets.read_sample(size, engine)
    groups = synonym_groups()
    published = Agency.objects.published()
    rows = []
    for kind, text in search_queries(sample):
        parsed = parse(text, groups)
        if not parsed:
            rows.append([kind, text, "no clauses", "", "", "", ""])
            continue
        top, ids = _timed(lambda parsed=parsed: backends.raw_top(parsed.clauses, 20))
        count, found = _timed(lambda parsed=parsed: backends.matching(published, parsed.clauses).count())

        def first_page(text=text):
            results = search_agencies(published, text)
            return list(results.queryset[:20])

        page, agencies = _timed(first_page)
        rows.append([kind, text, _cell(top), _cell(count), found, _cell(page), len(agencies)])
    table("searchindex", "Search engine in-process: the bare index query, the count, the whole first page",
          ["query", "text", "index top 20", "count", "found", "engine page 1 (20)", "shown"], rows,
          [f"median / p95 of up to {REPEAT} runs, stopped after {BUDGET_S:.0f} s", "engine page 1: "
           "search_agencies() with suggestions and partial matches, 20 agencies fetched",
           "target (issue 8): p95 ≤ 30 ms at 100,000 agencies on both databases"])
