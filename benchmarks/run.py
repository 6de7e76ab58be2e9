#!/usr/bin/env python
"""Run the benchmarks: `make bench` (quick: 3,300 agencies on SQLite and PostgreSQL), or e.g.

    make bench BENCH_ARGS="--full"                           # 3,300 and 100,000 agencies
    make bench BENCH_ARGS="--sizes 100000 --db postgres --parts load http-search"
    make bench BENCH_ARGS="--parts hours --json bench.json"

Parts: the in-process ones (`benchmarks/bench_*.py`: site, api, hours, import, ...) run once per
database in a child process whose Django is set up on that dataset; the served ones run gunicorn (and
Datasette) on loopback and measure over HTTP: `load` (50 clients × 30 s mixed workload, cache off/on,
SQLite/PostgreSQL, the comparable API reads against Datasette, one-client latencies cold and warm) and
`http-search` (the search queries of issue 8 on the site, the API, Datasette FTS5 and raw FTS5).
Datasets: see benchmarks/datasets.py (generated once, reused)."""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import warnings
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts benchmarks/ first on the path, where a module could shadow a package.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

from benchmarks import datasets, machine, report  # noqa: E402

SERVED_PARTS = ["load", "http-search"]
DATA_ONLY = "data"  # `--parts data`: build or check the datasets, measure nothing


def in_process_parts() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in (ROOT / "benchmarks").glob("bench_*.py"))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("API_ANON_RATE", "1000000/minute")
    os.environ.pop("REDIS_URL", None)  # in-process parts measure views and SQL, with a per-process cache
    import django

    # The benchmarks measure views, not static files: no collectstatic needed.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def child(size: int, engine: str, parts: list[str], fragment: Path, *, regenerate: bool) -> None:
    """One dataset on one database: build or reuse it, then the in-process parts."""
    setup_django(datasets.database_url(size, engine))
    stats = datasets.build(size, engine, regenerate=regenerate)
    report.where(size=size, database=engine)
    rows = [["agencies (incl. seed)", stats["agencies"], ""], ["duties", stats["duties"], ""],
            ["database size (MB)", stats["database_mb"], ""],
            ["generation (s)", stats.get("generate_s"), ("reused" if stats["reused"] else "this run")
             + (f", migrated in place {stats['upgraded_at']}" if stats.get("upgraded_at") else "")],
            ["fresh statistics (s)", stats.get("analyze_s"),
             "VACUUM ANALYZE" if engine == "postgres" else "ANALYZE + PRAGMA optimize"]]
    if "search_index_s" in stats:
        rows.append(["search index rebuild (s)", stats["search_index_s"], "rebuild_search_index"])
    report.table("data", "Dataset", ["figure", "value", "note"], rows)
    for part in parts:
        module = importlib.import_module(f"benchmarks.bench_{part}")
        print(f"\n--- {part} ({size:,} agencies, {engine})", flush=True)
        module.run(size)
    report.dump(fragment)


def _print_speed(speed: dict[str, dict]) -> None:
    report.table("machine", f"Machine speed: `{machine.LOOP}`, best of 5",
                 ["when", *next(iter(speed.values()))], [[when, *probe.values()] for when, probe in speed.items()],
                 ["the machine is shared and its speed moves, within an hour too: read a run's figures beside "
                  "its machine"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3300], help="agencies per dataset (default 3300)")
    parser.add_argument("--full", action="store_true", help="3,300 and 100,000 agencies")
    parser.add_argument("--db", nargs="+", choices=datasets.ENGINES, default=list(datasets.ENGINES))
    parser.add_argument("--parts", nargs="+", help=f"default all: {' '.join(in_process_parts() + SERVED_PARTS)}; "
                        f"'{DATA_ONLY}' builds the datasets only")
    parser.add_argument("--only", nargs="+", help="old spelling of --parts (bench_hours = hours)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients of the load part")
    parser.add_argument("--duration", type=float, default=30, help="seconds per load run")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers of the served parts (default: as `make run`, gunicorn.conf.py's "
                             "two per core)")
    parser.add_argument("--threads", type=int, default=0,
                        help="serve with gunicorn's gthread workers, this many threads each (keep-alive; "
                             "default 0: sync workers)")
    parser.add_argument("--regenerate", action="store_true",
                        help="generate the datasets again even where a large one could be migrated in place")
    parser.add_argument("--json", type=Path, help="also write every table of the run to this JSON file")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--fragment", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-parts", nargs="*", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    known = in_process_parts() + SERVED_PARTS + [DATA_ONLY]
    parts = [p.removeprefix("bench_") for p in (args.parts or args.only or known[:-1])]
    if unknown := sorted(set(parts) - set(known)):
        parser.error(f"unknown parts {unknown}; known: {known}")
    if args.child:
        child(int(args.child[0]), args.child[1], args.child_parts, args.fragment, regenerate=args.regenerate)
        return

    sizes = [3300, 100_000] if args.full else args.sizes
    engines = list(args.db)
    notes = []
    if "postgres" in engines and not datasets.pg_available():
        engines.remove("postgres")
        notes.append(f"PostgreSQL not reachable at {datasets.PG_URL}: SQLite only")
        print(f"[bench] {notes[-1]}")
    started = dt.datetime.now(dt.UTC)
    speed = {"start": machine.probe()}
    _print_speed(speed)
    fragments: list[report.Table] = []
    datasets.DATA.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        for engine in engines:
            print(f"\n===== {size:,} agencies on {engine} =====", flush=True)
            if engine == "postgres":
                datasets.ensure_pg_database(size)
            with tempfile.NamedTemporaryFile(suffix=".json", dir=datasets.DATA) as fragment:
                command = [sys.executable, __file__, "--child", str(size), engine, "--fragment", fragment.name,
                           *(["--regenerate"] if args.regenerate else []),
                           "--child-parts", *[p for p in parts if p not in [*SERVED_PARTS, DATA_ONLY]]]
                env = {**os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE": "true"}
                subprocess.run(command, check=True, env=env)
                fragments += report.load(Path(fragment.name))
        served = [p for p in parts if p in SERVED_PARTS]
        if served:
            from benchmarks import served as served_parts

            served_parts.run(size, engines, served, clients=args.clients, duration=args.duration,
                             workers=args.workers, threads=args.threads)
    speed["end"] = machine.probe()
    _print_speed(speed)
    if args.json:
        meta = {"started": started.isoformat(timespec="seconds"), "sizes": sizes, "databases": engines,
                "parts": parts, "clients": args.clients, "duration_s": args.duration, "notes": notes,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform(), "speed": speed},
                "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                         text=True).stdout.strip()}
        tables = [asdict(t) for t in fragments + report.TABLES]
        args.json.write_text(json.dumps({"meta": meta, "tables": tables}, ensure_ascii=False, indent=1,
                                        default=str), encoding="utf-8")
        print(f"\n[bench] wrote {args.json}")


if __name__ == "__main__":
    main()
