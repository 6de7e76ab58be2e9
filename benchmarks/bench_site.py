"""Server time and SQL queries of the public pages on the synthetic dataset (Django test Client).

A bounded number of requests per page; times include template rendering but no network."""
from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from benchmarks.common import bench_caches
from benchmarks.report import ms, summary, table
from freshness.memo import forget_local

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


def _timed_get(client: Client, url: str, **headers) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url, **headers)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(captured.captured_queries), response.status_code


def measure_page(client: Client, urls: list[str], requests: int = REQUESTS_PER_PAGE) -> dict[str, list]:
    """Cold: the shared cache emptied before each request (the first visitor after an edit). Warm: the
    same URLs again (the answer is stored). 304: a browser revalidating its copy with the ETag."""
    figures: dict[str, list] = {"cold": [], "warm": [], "304": [], "queries": [], "statuses": set()}
    for number in range(requests):
        url = urls[number % len(urls)]
        cache.clear()
        forget_local()  # and this process's copies of the answers
        elapsed, queries, status = _timed_get(client, url)
        figures["cold"].append(elapsed)
        figures["queries"].append(queries)
        figures["statuses"].add(status)
    etags = {url: client.get(url).get("ETag", "") for url in urls}
    for number in range(requests):
        url = urls[number % len(urls)]
        figures["warm"].append(_timed_get(client, url)[0])
        elapsed, _, status = _timed_get(client, url, HTTP_IF_NONE_MATCH=etags[url])
        figures["304"].append(elapsed)
        figures["statuses"].add(status)
    return figures


def run(size: int) -> None:
    client = Client()
    rows = []
    caches, cache_label = bench_caches()
    with override_settings(STORAGES=PLAIN_STATIC, DEBUG=False, CACHES=caches):
        for name, urls in _pages().items():
            figures = measure_page(client, urls)
            cold, warm, revalidated = summary(figures["cold"]), summary(figures["warm"]), summary(figures["304"])
            queries = figures["queries"]
            rows.append([name, ms(cold["median"]), ms(cold["p95"]), ms(warm["median"]), ms(warm["p95"]),
                         ms(revalidated["median"]), ms(revalidated["p95"]), cold["n"],
                         f"{min(queries)}–{max(queries)}", " ".join(map(str, sorted(figures["statuses"]))),
                         "p95 ≤ 60 ms cold, ≤ 25 ms warm, 304 ≤ 5 ms" if name != "search" else "p95 ≤ 30 ms (issue 8)"])
    table("site", "Public pages in-process (Django test client, no network): cold and warm cache, 304",
          ["page", "cold median", "cold p95", "warm median", "warm p95", "304 median", "304 p95", "n",
           "SQL queries (cold)", "status", "target at 100,000 (issue 11)"], rows,
          [f"shared cache: {cache_label}; cold = cache emptied "
           "before each request; warm = the stored answer; 304 = If-None-Match with the page's ETag"])
