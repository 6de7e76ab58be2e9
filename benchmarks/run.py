#!/usr/bin/env python
"""Run every benchmark: `make bench` (or `.venv/bin/python benchmarks/run.py --sizes 3300 100000`).

Synthetic data goes into its own SQLite file under benchmarks/data/ (or a throwaway PostgreSQL database
named by BENCH_DATABASE_URL), never into the real database. Each `benchmarks/bench_*.py` module has
`run(size: int) -> None` and prints its figures; this script builds the dataset of each size once."""
import argparse
import importlib
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "benchmarks" / "data"


def setup_django(size: int) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DATA / f'bench-{size}.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("API_ANON_RATE", "1000000/minute")
    import warnings

    import django

    # The benchmarks measure views, not static files: no collectstatic needed.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def build_dataset(size: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from agencies.models import Agency

    call_command("migrate", verbosity=0)
    existing = Agency.objects.filter(is_synthetic=True).count()
    if existing == size:
        print(f"[data] reusing synthetic dataset of {size} agencies ({connection.vendor})")
        return
    if existing and connection.vendor == "sqlite":
        # Starting from an empty file beats deleting a million rows through the ORM.
        path = connection.settings_dict["NAME"]
        connection.close()
        Path(path).unlink()
        call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/categories.json", verbosity=0)
    tracemalloc.start()
    started = time.perf_counter()
    call_command("generate_synthetic", agencies=size, replace=True, verbosity=0)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"[data] generated {size} synthetic agencies in {elapsed:.1f} s (peak Python memory {peak / 2**20:.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3300, 100000])
    parser.add_argument("--only", nargs="*", help="module names, e.g. bench_hours bench_site")
    args = parser.parse_args()
    modules = sorted(path.stem for path in (ROOT / "benchmarks").glob("bench_*.py"))
    if args.only:
        modules = [name for name in modules if name in args.only]
    for size in args.sizes:
        # One process per size keeps databases apart; re-exec for every size after the first.
        if size != args.sizes[0]:
            rest = [str(n) for n in args.sizes[args.sizes.index(size):]]
            only = ["--only", *args.only] if args.only else []
            os.execv(sys.executable, [sys.executable, __file__, "--sizes", *rest, *only])
        setup_django(size)
        print(f"===== {size} agencies =====")
        build_dataset(size)
        for name in modules:
            module = importlib.import_module(f"benchmarks.{name}")
            print(f"--- {name}")
            module.run(size)


if __name__ == "__main__":
    main()
