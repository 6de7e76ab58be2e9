"""Server time and SQL queries of the public pages on the synthetic dataset (Django test Client).

A bounded number of requests per page; times include template rendering but no network."""
from __future__ import annotations

import time

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from benchmarks.report import ms, summary, table

REQUESTS_PER_PAGE = 40
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The benchmark measures views, not collectstatic: no manifest needed.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _pages() -> dict[str, list[str]]:
    """Several URLs per page type, so that one cached row does not stand for all."""
    first = Agency.objects.published().filter(is_synthetic=True).order_by("pk").values_list("slug", "region__code")
    sample = list(first[:1000])[::100]
    if not sample:
        raise SystemExit("No synthetic agencies: run benchmarks/run.py, which builds them.")
    slugs = [slug for slug, _ in sample]
    regions = [code for _, code in sample]
    return {
        "home": ["/", "/?page=2", "/?page=50"],
        "search": ["/?q=foreign+experts", "/?q=合成", f"/?q={slugs[0].split('-')[-1]}",
                   f"/?q=technology+parks&region={regions[0][:2]}0000", "/?q=awards&level=municipal_bureau"],
        "profile": [f"/agencies/{slug}/" for slug in slugs],
        "compare": ["/compare/", "/compare/?page=3", f"/compare/?region={regions[1][:2]}0000"],
        "regions": ["/regions/", f"/regions/{regions[0][:2]}0000/", f"/regions/{regions[2][:4]}00/"],
    }


def run(size: int) -> None:
    client = Client()
    rows = []
    with override_settings(STORAGES=PLAIN_STATIC, DEBUG=False):
        for name, urls in _pages().items():
            samples, queries, statuses = [], [], set()
            for number in range(REQUESTS_PER_PAGE):
                url = urls[number % len(urls)]
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    samples.append((time.perf_counter() - started) * 1000)
                queries.append(len(captured.captured_queries))
                statuses.add(response.status_code)
            figures = summary(samples)
            rows.append([name, ms(figures["median"]), ms(figures["p95"]), figures["n"],
                         f"{min(queries)}–{max(queries)}", " ".join(map(str, sorted(statuses))),
                         "p95 ≤ 25 ms warm, ≤ 60 ms cold (issue 11)" if name != "search" else "p95 ≤ 30 ms (issue 8)"])
    table("site", "Public pages in-process (Django test client, no network)",
          ["page", "median", "p95", "n", "SQL queries", "status", "target at 100,000"], rows)
