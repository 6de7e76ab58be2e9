"""The served parts: the portal under gunicorn (and Datasette) on loopback, measured over HTTP.

`load` — for each database, with the response cache off and on (PORTAL_CACHE_PAGES, Redis DB of
BENCH_REDIS_URL flushed before each server starts):
  · one client, each kind of request over 10 URLs twice: the first pass cold, the second warm;
  · the mixed anonymous workload (home, random profiles, search, API list/detail/status, sitemap) with
    `clients` concurrent clients for `duration` seconds;
  · the comparable API reads (API list page 1 and detail) under the same load, beside Datasette serving
    the same SQLite data (its table page sorted by name; the row plus its duties, contacts and hours).
`http-search` — the search queries of issue 8 on the site and the API `q` (cache off, one client), beside
Datasette's FTS5 (trigram) `_search` on one document per agency and the bare FTS5 query alone.

Every load run is its own process (benchmarks/loadgen.py), bounded in time; servers are stopped after."""
from __future__ import annotations

import asyncio
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import aiohttp

from benchmarks import datasets, servers
from benchmarks.loadgen import probe, result_from_dict
from benchmarks.report import ms, summary, table

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
BASELINE_RPS = 36  # issue 11's "today", 50 clients on 5 agencies for 60 s
BASELINE = f"issue 11, 100,000 on SQLite before: {BASELINE_RPS} req/s, p95 2.3 s (50 clients, 60 s)"
SEARCH_REPEAT = 10
SEARCH_BUDGET_S = 15.0


def search_queries(sample: dict) -> list[tuple[str, str]]:
    """Issue 8's classes of query on this data (the rare ones come from the seed bureaus)."""
    return [("common word", "science"), ("rare word", "Huaihua"), ("common word 2", "popularization"),
            ("three words", "foreign experts training"), ("2-char Chinese, common", "科学"),
            ("2-char Chinese, rare", "怀化"), ("phone number", sample.get("phone") or "0577-88844729"),
            ("typo", "Huaihau")]


def _q(text: str) -> str:
    return urllib.parse.quote_plus(text)


HOT = 25  # popular bureaus: about half of the profile, detail and status requests go to them


def _slugs(sample: dict) -> list[str]:
    """Every sampled slug once, and the first HOT of them 20 times more: traffic in a spike concentrates
    on a few bureaus, while the rest still spreads over hundreds (and misses any cache)."""
    slugs = [agency["slug"] for agency in sample["agencies"]] + [seed["slug"] for seed in sample["seeds"]]
    return slugs + slugs[:HOT] * 20


def portal_kinds(sample: dict) -> dict[str, list[str]]:
    slugs = _slugs(sample)
    queries = [text for _, text in search_queries(sample)]
    return {
        "home": ["/", "/?page=2", "/?page=5", "/?page=20"],
        "profile": [f"/agencies/{slug}/" for slug in slugs],
        "search": [f"/?q={_q(text)}" for text in queries] + [f"{API}/agencies/?q={_q(text)}" for text in queries],
        "api list": [f"{API}/agencies/", *(f"{API}/agencies/?page={n}" for n in range(2, 6))],
        "api detail": [f"{API}/agencies/{slug}/" for slug in slugs],
        "api status": [f"{API}/agencies/{slug}/status/" for slug in slugs],
        "sitemap": ["/sitemap.xml"],
    }


MIX = {"home": 15, "profile": 30, "search": 5, "api list": 15, "api detail": 15, "api status": 15, "sitemap": 5}


def reference_kinds(sample: dict) -> dict[str, list[str]]:
    """Issue 11's own measuring workload (its "today": 36 req/s, p95 2.3 s): the same mix, but every profile,
    detail and status on the five seed bureaus, as the issue measured it (5 agencies, mixed pages)."""
    slugs = [seed["slug"] for seed in sample["seeds"]]
    return {**portal_kinds(sample), "profile": [f"/agencies/{slug}/" for slug in slugs],
            "api detail": [f"{API}/agencies/{slug}/" for slug in slugs],
            "api status": [f"{API}/agencies/{slug}/status/" for slug in slugs]}


def portal_reads(sample: dict) -> dict[str, list]:
    slugs = [agency["slug"] for agency in sample["agencies"]]
    return {"list page 1": [f"{API}/agencies/"], "detail": [f"{API}/agencies/{slug}/" for slug in slugs]}


def datasette_reads(sample: dict, db: str) -> dict[str, list]:
    """Datasette's nearest equivalents: the table sorted by name (20 rows, like the API's page), and a
    row with its related rows, which takes four requests."""
    return {
        "list page 1": [f"/{db}/agencies_agency.json?_sort=name&_size=20"],
        "detail": [[f"/{db}/agencies_agency/{a['id']}.json", f"/{db}/duties_duty.json?agency_id={a['id']}&_size=100",
                    f"/{db}/agencies_contact.json?agency_id={a['id']}",
                    f"/{db}/agencies_officehours.json?agency_id={a['id']}"] for a in sample["agencies"]],
    }


def load(base_url: str, kinds: dict[str, list], weights: dict[str, float], *, clients: int, duration: float,
         name: str) -> dict:
    """One bounded load run in its own process; returns the loadgen's JSON result."""
    workload = [{"name": kind, "weight": weights.get(kind, 1), "units": units} for kind, units in kinds.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=datasets.DATA, delete=False) as file:
        json.dump(workload, file)
    try:
        print(f"[load] {name}: {clients} clients × {duration:.0f} s", flush=True)
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.loadgen", base_url, "--workload", file.name, "--clients", str(clients),
             "--duration", str(duration), "--json"],
            cwd=ROOT, check=True, capture_output=True, text=True, timeout=duration + 180,
        ).stdout
    finally:
        Path(file.name).unlink(missing_ok=True)
    return result_from_dict(json.loads(output)).as_dict()


def cold_warm(base_url: str, kinds: dict[str, list], per_kind: int = 10) -> dict[str, dict]:
    """One client: each kind's first `per_kind` URLs, then the same URLs again."""
    figures = {}
    for kind, units in kinds.items():
        paths = [unit if isinstance(unit, str) else unit[0] for unit in units[:per_kind]]
        if len(paths) < per_kind:
            paths = (paths * per_kind)[:per_kind]
        cold = asyncio.run(probe(base_url, paths))
        warm = asyncio.run(probe(base_url, paths))
        figures[kind] = {"cold": summary(cold), "warm": summary(warm)}
    return figures


def cold_warm_units(base_url: str, units: list[list[str]], per_kind: int = 10) -> dict[str, dict]:
    """Like cold_warm for units of several requests: the time of the whole unit (sequential)."""
    async def measure() -> list[float]:
        samples = []
        for unit in units[:per_kind]:
            started = time.perf_counter()
            await probe(base_url, unit)
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    return {"cold": summary(asyncio.run(measure())), "warm": summary(asyncio.run(measure()))}


async def _search_probe(base_url: str, path: str, count_key: str | None) -> tuple[dict, int | None]:
    """Repeat one search request (bounded by count and time); the result count from the first answer."""
    samples, count, stop = [], None, time.perf_counter() + SEARCH_BUDGET_S
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for _ in range(SEARCH_REPEAT):
            if samples and time.perf_counter() > stop:
                break
            started = time.perf_counter()
            async with session.get(base_url + path) as response:
                body = await response.read()
                if response.status >= 400:
                    return {"error": response.status}, None
            samples.append((time.perf_counter() - started) * 1000)
            if count is None and count_key:
                count = json.loads(body).get(count_key)
    return summary(samples), count


def _cell(figures: dict) -> str:
    if "error" in figures:
        return f"HTTP {figures['error']}"
    return f"{ms(figures['median'])} / {ms(figures['p95'])}"


def raw_fts(path: Path, text: str) -> dict[str, object]:
    """The bare FTS5 query (escaped as Datasette escapes it): count all matches, and the top 20 by rank."""
    query = " ".join('"' + word.replace('"', '""') + '"' for word in text.split())
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    figures = {}
    for name, sql in (("count", "SELECT count(*) FROM agency_documents_fts WHERE agency_documents_fts MATCH ?"),
                      ("top 20", "SELECT rowid FROM agency_documents_fts WHERE agency_documents_fts MATCH ? "
                                 "ORDER BY rank LIMIT 20")):
        samples, stop, result = [], time.perf_counter() + SEARCH_BUDGET_S, None
        for _ in range(SEARCH_REPEAT):
            if samples and time.perf_counter() > stop:
                break
            started = time.perf_counter()
            result = connection.execute(sql, [query]).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
        figures[name] = summary(samples)
        if name == "count":
            figures["matches"] = result[0][0]
    connection.close()
    return figures


def _fresh_server(*, size: int, engine: str, cache: bool, redis: bool, workers: int, threads: int, suffix: str = ""):
    """A new gunicorn on this dataset, the shared cache emptied first: every measured server starts cold."""
    if redis:
        servers.flush_redis()
    return servers.gunicorn(datasets.database_url(size, engine), cache=cache, redis=redis, workers=workers,
                            threads=threads,
                            name=f"gunicorn-{engine}-{datasets.label(size)}-cache-{int(cache)}{suffix}")


def run(size: int, engines: list[str], parts: list[str], *, clients: int, duration: float,
        workers: int | None = None, threads: int = 0) -> None:
    workers = workers or servers.default_workers()
    redis = servers.redis_available()
    servers.collectstatic()
    label = datasets.label(size)
    sample = datasets.read_sample(size, engines[0])
    kinds, reads = portal_kinds(sample), portal_reads(sample)
    queries = search_queries(sample)
    configs: dict[str, dict] = {}
    search: dict[str, dict] = {}
    caches = (False, True) if {"load", "http-search"} & set(parts) else (False,)
    for engine in engines:
        for cache in caches:
            config = f"{engine}, cache {'on' if cache else 'off'}"
            server = {"size": size, "engine": engine, "cache": cache, "redis": redis, "workers": workers,
                      "threads": threads}
            if "load" in parts:
                # The workload on a server of its own, so that it too starts from an empty cache.
                with _fresh_server(**server, suffix="-reference") as base_url:
                    configs.setdefault(config, {})["reference"] = load(
                        base_url, reference_kinds(sample), MIX, clients=clients, duration=2 * duration,
                        name=f"{config}, issue 11's workload")
            with _fresh_server(**server) as base_url:
                if "load" in parts:
                    print(f"[load] {config}: one client, cold then warm", flush=True)
                    entry = configs.setdefault(config, {})
                    entry["latency"] = cold_warm(base_url, kinds)
                    entry["mixed"] = load(base_url, kinds, MIX, clients=clients, duration=duration,
                                          name=f"{config}, mixed")
                    if cache:
                        # The same workload again on the same server: the first run pays every bureau's
                        # first visit (a cold cache after a deploy or a large write); this one is the
                        # steady state that follows.
                        entry["mixed next"] = load(base_url, kinds, MIX, clients=clients, duration=duration,
                                                   name=f"{config}, mixed, the next {duration:.0f} s")
                    entry["reads"] = load(base_url, reads, {}, clients=clients, duration=duration / 2,
                                          name=f"{config}, API reads")
                if "http-search" in parts:
                    # Cache off: every request searches. Cache on (as deployed): the first request for a
                    # query searches, the repeats are answered from the shared cache.
                    suffix = " cached" if cache else ""
                    print(f"[search] {engine}{suffix}: {len(queries)} queries on the site and the API", flush=True)
                    for kind, text in queries:
                        row = search.setdefault(kind, {"query": text})
                        row[f"site {engine}{suffix}"], _ = asyncio.run(
                            _search_probe(base_url, f"/?q={_q(text)}", None))
                        row[f"api {engine}{suffix}"], count = asyncio.run(
                            _search_probe(base_url, f"{API}/agencies/?q={_q(text)}", "count"))
                        if not cache:
                            row[f"count {engine}"] = count
    datasette_meta = None
    if "sqlite" in engines:
        path, datasette_meta = datasets.datasette_copy(size)
        db = path.stem
        ds_sample = datasets.read_sample(size, "sqlite")
        with servers.datasette(path, name=f"datasette-{label}") as base_url:
            if "load" in parts:
                ds_reads = datasette_reads(ds_sample, db)
                print("[load] Datasette: one client, cold then warm", flush=True)
                latency = {"api list": cold_warm(base_url, {"list page 1": ds_reads["list page 1"]})["list page 1"],
                           "api detail": cold_warm_units(base_url, ds_reads["detail"])}
                configs["Datasette (SQLite)"] = {
                    "latency": latency,
                    "reads": load(base_url, ds_reads, {}, clients=clients, duration=duration / 2,
                                  name="Datasette, API reads")}
            if "http-search" in parts:
                print("[search] Datasette FTS5 and the bare FTS5 query", flush=True)
                for kind, text in queries:
                    row = search.setdefault(kind, {"query": text})
                    row["datasette"], row["count datasette"] = asyncio.run(_search_probe(
                        base_url, f"/{db}/agency_documents.json?_search={_q(text)}&_size=20",
                        "filtered_table_rows_count"))
                    row["raw"] = raw_fts(path, text)
    _print(size, engines, configs, search, datasette_meta, clients=clients, duration=duration, redis=redis,
           workers=workers, threads=threads)


def _client_share(run: dict) -> str:
    """The load generator's own CPU as a share of the machine's cores over the run (it shares them)."""
    if not run.get("client_cpu_s") or not run.get("elapsed_s"):
        return "—"
    cores = os.cpu_count() or 1
    return f"{run['client_cpu_s'] / (run['elapsed_s'] * cores):.0%} of {cores} cores"


def _target(config: str) -> str:
    """Issue 11's target for a load run: ten times its reference with the cache on, the reference without."""
    if "cache on" in config:
        return f"≥ {10 * BASELINE_RPS} req/s, p95 ≤ 100 ms, 0 errors"
    return f"≥ {BASELINE_RPS} req/s"


def _rate(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.0f}"


def _print(size: int, engines: list[str], configs: dict, search: dict, datasette_meta: dict | None, *,
           clients: int, duration: float, redis: bool, workers: int, threads: int = 0) -> None:
    served_by = f"{workers} gthread workers × {threads} threads" if threads else f"{workers} sync workers"
    portal = [name for name in configs if not name.startswith("Datasette")]
    notes = []
    if not redis:
        notes.append(f"Redis not reachable at {servers.REDIS_URL}: each worker had its own local-memory cache")
    if portal:
        rows = []
        for name in portal:
            run = configs[name]["reference"]
            rows.append([name, _rate(run["rps"]), f"{run['rps'] / BASELINE_RPS:.1f}×", ms(run["median"]),
                         ms(run["p95"]), ms(run["p99"]), run["requests"], run["errors"], _client_share(run),
                         _target(name)])
        table("load", f"Issue 11's workload (profiles, details and statuses of the 5 seed bureaus), {clients} clients "
              f"× {2 * duration:.0f} s from an empty cache, gunicorn {served_by}",
              ["server", "req/s", f"vs {BASELINE_RPS} req/s", "p50", "p95", "p99", "requests", "errors",
               "load generator CPU", "target (issue 11)"],
              rows, [f"reference: {BASELINE}", *notes,
                     "mix: " + ", ".join(f"{kind} {weight}%" for kind, weight in MIX.items())
                     + "; home, search, API list and sitemap as in the workload below"], size=size)
        rows = []
        for name in portal:
            mixed = configs[name]["mixed"]
            off = configs.get(name.replace("cache on", "cache off"), {}).get("mixed")
            gain = f"{mixed['rps'] / off['rps']:.1f}×" if off and "cache on" in name and off["rps"] else ""
            target = _target(name)
            rows.append([name, _rate(mixed["rps"]), ms(mixed["median"]), ms(mixed["p95"]), ms(mixed["p99"]),
                         mixed["requests"], mixed["errors"], gain, _client_share(mixed), target])
            if (steady := configs[name].get("mixed next")):
                rows.append([f"{name}, the next {duration:.0f} s", _rate(steady["rps"]), ms(steady["median"]),
                             ms(steady["p95"]), ms(steady["p99"]), steady["requests"], steady["errors"], "",
                             _client_share(steady), target])
        table("load", f"Mixed anonymous workload, {clients} clients × {duration:.0f} s, gunicorn {served_by}",
              ["server", "req/s", "p50", "p95", "p99", "requests", "errors", "vs cache off", "load generator CPU",
               "target (issue 11)"],
              rows, [f"reference: {BASELINE}", *notes,
                     "mix: " + ", ".join(f"{kind} {weight}%" for kind, weight in MIX.items())
                     + f"; profiles, details and statuses: half of them on {HOT} popular bureaus, the rest over "
                     "500 chosen at random",
                     "each server starts with an empty cache; 'the next' rows run the same workload again on the "
                     "same server right after"], size=size)
        kinds = list(configs[portal[0]]["mixed"]["kinds"])
        table("load", "Mixed workload by kind of request: p50 / p95 (errors)",
              ["kind", *portal], [[kind, *(
                  f"{ms(k['median'])} / {ms(k['p95'])}" + (f" ({k['errors']})" if k["errors"] else "")
                  for k in (configs[name]["mixed"]["kinds"][kind] for name in portal))] for kind in kinds],
              size=size)
        targets = {"search": "p95 ≤ 30 ms (issue 8)", "sitemap": "—"}
        table("load", "One client, 10 URLs per kind: cold pass p95 / warm pass p95",
              ["kind", *portal, "target at 100,000 (cold / warm)"],
              [[kind, *(f"{ms(configs[name]['latency'][kind]['cold']['p95'])} / "
                        f"{ms(configs[name]['latency'][kind]['warm']['p95'])}" for name in portal),
                targets.get(kind, "≤ 60 ms / ≤ 25 ms")] for kind in kinds], size=size)
    readers = [name for name in configs if "reads" in configs[name]]
    if readers:
        rows = []
        for name in readers:
            reads = configs[name]["reads"]
            kinds = reads["kinds"]
            latency = configs[name]["latency"]
            rows.append([name, _rate(reads["rps"]), reads["errors"],
                         f"{ms(kinds['list page 1']['median'])} / {ms(kinds['list page 1']['p95'])}",
                         f"{ms(kinds['detail']['median'])} / {ms(kinds['detail']['p95'])}",
                         f"{ms(latency['api list']['warm']['median'])}",
                         f"{ms(latency['api detail']['warm']['median'])}"])
        table("load", f"Comparable API reads: portal vs Datasette on the same data ({clients} clients × "
              f"{duration / 2:.0f} s, then one client)",
              ["server", "req/s", "errors", "list p50 / p95", "detail p50 / p95", "1 client: list p50",
               "1 client: detail p50"], rows,
              ["Datasette list: agencies_agency.json?_sort=name&_size=20; its detail is 4 requests (row, duties, "
               "contacts, hours) timed as one; req/s counts requests", "Datasette: one process (uvicorn, 3 SQL "
               f"threads); the portal: gunicorn, {served_by}",
               "target (issue 11): API list page 1 no slower than Datasette's sorted table page"], size=size)
    if search:
        columns = ["query", "text"]
        cached = any(key.endswith(" cached") for row in search.values() for key in row)
        for engine in engines:
            columns += [f"site {engine}", f"API {engine}", f"found ({engine})"]
            if cached:
                columns += [f"site {engine} cache on", f"API {engine} cache on"]
        if any("datasette" in row for row in search.values()):
            columns += ["Datasette FTS5", "found (FTS5)", "bare FTS5 count", "bare FTS5 top 20"]
        rows = []
        for kind, row in search.items():
            cells = [kind, row["query"]]
            for engine in engines:
                cells += [_cell(row.get(f"site {engine}", {"median": math.nan, "p95": math.nan})),
                          _cell(row.get(f"api {engine}", {"median": math.nan, "p95": math.nan})),
                          row.get(f"count {engine}")]
                if cached:
                    cells += [_cell(row.get(f"site {engine} cached", {"median": math.nan, "p95": math.nan})),
                              _cell(row.get(f"api {engine} cached", {"median": math.nan, "p95": math.nan}))]
            if "datasette" in row:
                raw = row["raw"]
                cells += [_cell(row["datasette"]), row["count datasette"], _cell(raw["count"]), _cell(raw["top 20"])]
            rows.append(cells)
        notes = [f"median / p95 of up to {SEARCH_REPEAT} requests (one client, loopback), stopped after "
                 f"{SEARCH_BUDGET_S:.0f} s; cache off unless the column says cache on (the first request "
                 "searches and is in the p95, the repeats come from the shared cache, as deployed)",
                 "Datasette: agency_documents.json?_search= over one document per "
                 "agency (names, address, contacts, duties) with an FTS5 trigram index; trigram cannot match "
                 "queries under 3 characters", "target (issue 8): p95 ≤ 30 ms at 100,000 on both databases, "
                 "and not slower than Datasette for any query"]
        if datasette_meta:
            notes.append(f"FTS5 trigram build {datasette_meta['fts_build_s']} s, Datasette copy "
                         f"{datasette_meta['size_mb']} MB")
        table("http-search", "Search (issue 8): site and API q, beside Datasette FTS5 and the bare FTS5 query",
              columns, rows, notes, size=size)
