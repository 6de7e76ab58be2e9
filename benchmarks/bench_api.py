"""Latency of the integrator API on the synthetic dataset, and of the raw SQL each request runs.

Each request goes through the whole stack with Django's test Client (no network). The SQL it ran is
captured, then replayed alone through `connection.cursor()`; the ratio of the two medians is what DRF,
serialization and the middleware add on top of the database."""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from benchmarks.common import bench_caches
from benchmarks.report import ms, summary, table
from freshness.memo import forget_local

REQUESTS_PER_ENDPOINT = 40
CSV_REQUESTS = 10  # also for open_at: the heaviest requests
API = "/api/v1"
UNTHROTTLED = {"anon": "100000000/minute"}


def _endpoints() -> dict[str, list[str]]:
    """Several URLs per endpoint, so that one cached row does not stand for all."""
    sample = list(
        Agency.objects.published().filter(is_synthetic=True).order_by("pk").values_list("slug", "region__code")[:1000]
    )[::100]
    if not sample:
        raise SystemExit("No synthetic agencies: run benchmarks/run.py, which builds them.")
    slugs = [slug for slug, _ in sample]
    province = f"{sample[1][1][:2]}0000"
    return {
        "list": [f"{API}/agencies/", f"{API}/agencies/?page=2", f"{API}/agencies/?page=20&page_size=100",
                 f"{API}/agencies/?region={province}", f"{API}/agencies/?level=county_bureau&ordering=-updated_at"],
        "search": [f"{API}/agencies/?q=foreign+experts", f"{API}/agencies/?q=合成",
                   f"{API}/agencies/?q=technology+parks&region={province}", f"{API}/agencies/?q={slugs[0]}"],
        "detail": [f"{API}/agencies/{slug}/" for slug in slugs],
        "status": [f"{API}/agencies/{slug}/status/?at=2026-11-23T10:00%2B08:00" for slug in slugs[:5]]
        + [f"{API}/agencies/{slug}/status/" for slug in slugs[5:]],
    }


def _replay(queries: list[str]) -> float:
    """Milliseconds to run the captured SQL again, fetching every row, without Django on top."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def _measure(
    client: Client, urls: list[str], etags: dict[str, str] | None = None, requests: int = REQUESTS_PER_ENDPOINT,
    cold: bool = True,
):
    """`cold`: the shared cache emptied before each request (the first client after an edit)."""
    request_ms, sql_ms, statuses, query_counts = [], [], set(), []
    for number in range(requests):
        url = urls[number % len(urls)]
        headers = {"HTTP_IF_NONE_MATCH": etags[url]} if etags else {}
        if cold:
            cache.clear()
            forget_local()  # and this process's copies of the answers
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
            request_ms.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
        queries = [query["sql"] for query in captured.captured_queries]
        query_counts.append(len(queries))
        sql_ms.append(_replay(queries))
    return request_ms, sql_ms, statuses, query_counts


REFERENCES = {
    "list": "p95 ≤ 60 ms cold; no slower than Datasette's sorted table page",
    "search": "p95 ≤ 30 ms (issue 8)", "detail": "p95 ≤ 60 ms cold", "status": "p95 ≤ 60 ms cold",
    "open_at": "p95 ≤ 100 ms", "csv": "streamed, constant memory",
    "list warm": "p95 ≤ 25 ms", "detail warm": "p95 ≤ 25 ms", "status warm": "p95 ≤ 25 ms",
    "list 304": "≤ 5 ms", "detail 304": "≤ 5 ms", "status 304": "≤ 5 ms",
}


def _row(name: str, measured) -> list[object]:
    request_ms, sql_ms, statuses, counts = measured
    request, sql = summary(request_ms), summary(sql_ms)
    ratio = request["median"] / max(sql["median"], 1e-6)
    return [name, ms(request["median"]), ms(request["p95"]), request["n"], ms(sql["median"]), ms(sql["p95"]),
            f"{ratio:.1f}×", f"{min(counts)}–{max(counts)}", " ".join(map(str, sorted(statuses))), REFERENCES[name]]


def run(size: int) -> None:
    client = Client()
    unthrottled = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": UNTHROTTLED}
    rows = []
    caches, cache_label = bench_caches()
    with override_settings(DEBUG=False, REST_FRAMEWORK=unthrottled, CACHES=caches):
        endpoints = _endpoints()
        for name, urls in endpoints.items():
            rows.append(_row(name, _measure(client, urls)))
        # The open_at filter runs the open/closed function over every candidate agency: fewer requests.
        open_at = [f"{API}/agencies/?open_at=2026-11-23T10:00%2B08:00", f"{API}/agencies/?open_at=2026-11-23T12:30"]
        rows.append(_row("open_at", _measure(client, open_at, requests=CSV_REQUESTS)))
        # Warm: the answer is in the shared cache. 304: a client revalidating a fresh ETag.
        for name in ("list", "detail", "status"):
            urls = endpoints[name]
            etags = {url: client.get(url)["ETag"] for url in urls}
            rows.append(_row(f"{name} warm", _measure(client, urls, cold=False)))
            rows.append(_row(f"{name} 304", _measure(client, urls, etags, cold=False)))
        # A whole province as one CSV file: fewer requests, it is the heaviest response.
        province_csv = f"{API}/agencies/?format=csv&region={endpoints['list'][3].split('=')[1]}"
        rows.append(_row("csv", _measure(client, [province_csv], requests=CSV_REQUESTS)))
    table("api", "API in-process (Django test client), and the same SQL replayed alone",
          ["endpoint", "median", "p95", "n", "SQL median", "SQL p95", "request/SQL", "queries", "status",
           "target at 100,000"], rows,
          [f"shared cache: {cache_label}; each row but warm and 304 starts from an emptied cache (cold)"])
