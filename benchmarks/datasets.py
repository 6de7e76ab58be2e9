"""The benchmark datasets: the seed bureaus plus N synthetic agencies, on SQLite and on PostgreSQL.

SQLite: `benchmarks/data/bench-<N>.sqlite3` (git-ignored). PostgreSQL: a database named for the dataset,
`portal_bench_3300`, `portal_bench_100k` (prefix BENCH_PG_PREFIX, server BENCH_PG_URL). Never the real
database. A dataset is generated once and reused while it holds the expected rows; after a bulk load it
gets fresh planner statistics (VACUUM ANALYZE on PostgreSQL, ANALYZE + PRAGMA optimize on SQLite).
Synthetic rows are marked `is_synthetic` and say "Synthetic" in their names; fixtures/ is untouched."""
from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import sqlite3
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "portal_bench")
ENGINES = ("sqlite", "postgres")
SAMPLE = 500  # agencies whose pages the load generator visits
UPGRADE_IN_PLACE_ABOVE = 20_000  # larger datasets are migrated, not generated again, when the schema moves


def label(size: int) -> str:
    return f"{size // 1000}k" if size >= 10_000 and size % 1000 == 0 else str(size)


def sqlite_path(size: int) -> Path:
    return DATA / f"bench-{size}.sqlite3"


def pg_name(size: int) -> str:
    return f"{PG_PREFIX}_{label(size)}"


def database_url(size: int, engine: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{sqlite_path(size)}"
    return f"{PG_URL}/{pg_name(size)}"


def meta_path(size: int, engine: str) -> Path:
    return DATA / f"meta-{engine}-{label(size)}.json"


def sample_path(size: int, engine: str) -> Path:
    return DATA / f"sample-{engine}-{label(size)}.json"


def pg_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{PG_URL}/postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def ensure_pg_database(size: int) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pg_name(size)]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{pg_name(size)}"')


# ---- inside a process whose Django is set up on the dataset's database ----------------------------------

def _read_meta(size: int, engine: str) -> dict:
    path = meta_path(size, engine)
    return json.loads(path.read_text()) if path.exists() else {}


def _write_meta(size: int, engine: str, meta: dict) -> None:
    meta_path(size, engine).write_text(json.dumps(meta, indent=1))


def _reset(engine: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    if engine == "sqlite":
        # Starting from an empty file beats deleting a million rows through the ORM.
        path = Path(connection.settings_dict["NAME"])
        connection.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    else:
        # A new database, not `flush`: tables another checkout's migrations added (other apps) would
        # refuse TRUNCATE through their foreign keys, and their migrations would stay recorded.
        import psycopg

        name = connection.settings_dict["NAME"]
        connection.close()
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.execute(f'CREATE DATABASE "{name}"')
        call_command("migrate", verbosity=0)


def fresh_statistics() -> float:
    """Planner statistics after a bulk load; returns the seconds it took."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
    return time.perf_counter() - started


def _has_command(name: str) -> bool:
    from django.core.management import get_commands

    return name in get_commands()


def database_size_mb() -> float:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 2**20
    path = Path(connection.settings_dict["NAME"])
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()) / 2**20


def schema_fingerprint() -> str:
    """The applied migrations: a dataset generated under another schema is generated again, since a new
    table kept in sync on write (a search index, materialised hours) may not be filled for old rows."""
    from django.db.migrations.recorder import MigrationRecorder

    names = sorted(MigrationRecorder.Migration.objects.values_list("app", "name"))
    return hashlib.sha1(repr(names).encode()).hexdigest()[:12]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _index_size() -> int:
    try:
        from search.index import index_size
    except ImportError:
        return 0
    return index_size()


def build(size: int, engine: str, *, regenerate: bool = False) -> dict:
    """Generate the dataset unless it is there; index it for search if the engine exists; fresh statistics."""
    from django.core.management import call_command

    from agencies.models import Agency
    from duties.models import Duty

    call_command("migrate", verbosity=0)
    meta = _read_meta(size, engine)
    synthetic = Agency.objects.filter(is_synthetic=True).count()
    seeded = Agency.objects.filter(is_synthetic=False).exists()
    schema = schema_fingerprint()
    same_rows = synthetic == size and seeded and meta.get("size") == size
    reused = same_rows and meta.get("schema") == schema
    if same_rows and not reused and (size > UPGRADE_IN_PLACE_ABOVE and not regenerate):
        # New migrations (another app, a new index) on a large dataset: keep the rows, which `migrate`
        # has just carried over, rather than spend a quarter of an hour generating them again.
        print(f"[data] {size:,} agencies on {engine}: new migrations, upgraded in place", flush=True)
        meta.update(schema=schema, upgraded_at=_now(), analyzed=False)
        reused = True
    if not reused:
        why = "new migrations since it was generated" if same_rows else f"found {synthetic:,}"
        print(f"[data] generating {size:,} synthetic agencies on {engine} ({why})", flush=True)
        _reset(engine)
        call_command("load_seed", verbosity=0)
        started = time.perf_counter()
        call_command("generate_synthetic", agencies=size, replace=True, verbosity=0)
        meta = {"size": size, "schema": schema, "generate_s": round(time.perf_counter() - started, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "generated_at": _now(), "analyzed": False,
                # The generator's bulk writes keep the search index right once the search engine exists.
                "search_indexed": _has_command("rebuild_search_index")}
    if _has_command("rebuild_search_index") and not meta.get("search_indexed"):
        if _index_size() >= Agency.objects.count():
            meta.update(search_indexed=True)  # a migration built it
        else:
            print("[data] rebuilding the search index (the dataset predates the search engine)", flush=True)
            started = time.perf_counter()
            call_command("rebuild_search_index", verbosity=0)
            meta.update(search_indexed=True, search_index_s=round(time.perf_counter() - started, 1),
                        analyzed=False)
    if not meta.get("analyzed"):
        meta.update(analyze_s=round(fresh_statistics(), 1), analyzed=True)
    _write_meta(size, engine, meta)
    write_sample(size, engine)
    return {**meta, "reused": reused, "agencies": Agency.objects.count(), "duties": Duty.objects.count(),
            "database_mb": round(database_size_mb(), 1)}


def write_sample(size: int, engine: str) -> None:
    """Which pages the load generator visits: a seeded random sample of published synthetic agencies,
    the published seed bureaus, and one synthetic phone number (for the phone-number search)."""
    from agencies.models import Agency, Contact

    published = Agency.objects.published()
    ids = list(published.filter(is_synthetic=True).values_list("pk", flat=True))
    chosen = sorted(random.Random(2026).sample(ids, min(SAMPLE, len(ids))))
    agencies = list(published.filter(pk__in=chosen).order_by("pk").values("id", "slug", "region__code"))
    seeds = list(published.filter(is_synthetic=False).order_by("pk").values("id", "slug", "name"))
    phone = Contact.objects.filter(agency__is_synthetic=True, kind="office").order_by("pk").values_list(
        "value", flat=True).first()
    sample_path(size, engine).write_text(json.dumps({"agencies": agencies, "seeds": seeds, "phone": phone},
                                                    ensure_ascii=False))


def read_sample(size: int, engine: str) -> dict:
    return json.loads(sample_path(size, engine).read_text())


# ---- the Datasette copy: the same SQLite data plus an FTS5 (trigram) index ---------------------------------

def datasette_copy(size: int) -> tuple[Path, dict]:
    """A copy of the SQLite dataset for Datasette, with one search document per agency (names, address,
    contacts, duties) in an FTS5 trigram table that Datasette's `_search` uses. Rebuilt when the source changed."""
    source = sqlite_path(size)
    target = DATA / f"datasette-{label(size)}.sqlite3"
    meta_file = DATA / f"datasette-{label(size)}.meta.json"
    stamp = _read_meta(size, "sqlite").get("generated_at")  # not the mtime: opening a file may touch it
    if target.exists() and meta_file.exists() and json.loads(meta_file.read_text()).get("source_generated_at") == stamp:
        return target, json.loads(meta_file.read_text())
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    copy_s = time.perf_counter() - started
    connection = sqlite3.connect(target)
    started = time.perf_counter()
    connection.executescript("""
        CREATE TABLE agency_documents (
            agency_id INTEGER PRIMARY KEY, slug TEXT, name TEXT, name_zh TEXT, address TEXT, contacts TEXT,
            duties TEXT);
        INSERT INTO agency_documents
            SELECT a.id, a.slug, a.name, a.name_zh, a.address,
                   (SELECT group_concat(c.value, ' ') FROM agencies_contact c WHERE c.agency_id = a.id),
                   (SELECT group_concat(d.text, ' ') FROM duties_duty d WHERE d.agency_id = a.id)
            FROM agencies_agency a WHERE a.status = 'published';
        CREATE VIRTUAL TABLE agency_documents_fts USING fts5(
            name, name_zh, address, contacts, duties, content="agency_documents", content_rowid="agency_id",
            tokenize="trigram");
        INSERT INTO agency_documents_fts(agency_documents_fts) VALUES ('rebuild');
    """)
    fts_s = time.perf_counter() - started
    connection.execute("ANALYZE")
    connection.execute("PRAGMA optimize")
    connection.commit()
    connection.close()
    meta = {"source_generated_at": stamp, "copy_s": round(copy_s, 1), "fts_build_s": round(fts_s, 1),
            "size_mb": round(target.stat().st_size / 2**20, 1)}
    meta_file.write_text(json.dumps(meta))
    return target, meta
