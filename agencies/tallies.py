"""How many published agencies each prefecture-level region has, kept by the database.

The regions page lists every province and city with its count of published bureaus. Counted on the
fly that is an aggregate over every agency joined to its region (70-110 ms at 100,000 agencies, on
every cold page); `RegionTally` holds the answer instead: one row per four-digit code prefix (a city
and its counties; a province is the sum of its prefixes). Triggers see every write to the agencies
(forms, imports, bulk writes, raw SQL, cascades) and to region codes, inside the writing transaction,
as `weekly_hours` is kept (agencies/opening.py). A test writes through every kind of write and compares
the tally with a count.
"""
from __future__ import annotations

from django.db import connections

from agencies.triggers import execute_triggers

REFRESH = """
DELETE FROM agencies_regiontally;
INSERT INTO agencies_regiontally (prefix, published)
SELECT substr(r.code, 1, 4), count(*) FROM agencies_agency a JOIN agencies_region r ON r.id = a.region_id
WHERE a.status = 'published' GROUP BY 1
"""


def _postgres_add(deltas: str) -> str:
    """Add the deltas (rows of region_id, delta) to the tally. Inline in each trigger function: a
    statement trigger's transition tables are visible there only."""
    return f"""
        INSERT INTO agencies_regiontally (prefix, published)
        SELECT substr(r.code, 1, 4), sum(d.delta) FROM ({deltas}) AS d JOIN agencies_region r ON r.id = d.region_id
        GROUP BY 1 HAVING sum(d.delta) <> 0
        ON CONFLICT (prefix) DO UPDATE SET published = agencies_regiontally.published + EXCLUDED.published;"""


ADDED = "SELECT region_id, 1 AS delta FROM new_rows WHERE status = 'published'"
REMOVED = "SELECT region_id, -1 AS delta FROM old_rows WHERE status = 'published'"
# (event, its transition tables, the deltas it makes): one statement trigger each
EVENTS = (
    ("insert", "NEW TABLE AS new_rows", ADDED),
    ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows", f"{ADDED} UNION ALL {REMOVED}"),
    ("delete", "OLD TABLE AS old_rows", REMOVED),
)


def _postgres_triggers() -> str:
    parts = []
    for event, tables, deltas in EVENTS:
        parts.append(f"""
CREATE OR REPLACE FUNCTION agencies_tally_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_postgres_add(deltas)}
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS agencies_tally_{event} ON agencies_agency;
CREATE TRIGGER agencies_tally_{event} AFTER {event.upper()} ON agencies_agency
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION agencies_tally_{event}();""")
    # A region's save writes every column: count again only when a code really changed (PostgreSQL
    # allows no column list beside transition tables).
    parts.append(f"""
CREATE OR REPLACE FUNCTION agencies_tally_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.code IS DISTINCT FROM n.code) THEN
        {REFRESH.strip()};
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS agencies_tally_region_code ON agencies_region;
CREATE TRIGGER agencies_tally_region_code AFTER UPDATE ON agencies_region
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION agencies_tally_refresh();""")
    return "\n".join(parts)


def _sqlite_triggers() -> list[str]:
    def add(row: str, delta: int) -> str:
        return (f"INSERT INTO agencies_regiontally (prefix, published) "
                f"SELECT substr(code, 1, 4), {delta} FROM agencies_region WHERE id = {row}.region_id "
                f"ON CONFLICT (prefix) DO UPDATE SET published = published + ({delta});")

    published = "{row}.status = 'published'"
    statements = []
    for name, event, when, body in (
        ("insert", "INSERT", published.format(row="NEW"), add("NEW", 1)),
        ("delete", "DELETE", published.format(row="OLD"), add("OLD", -1)),
        # Only when what is counted changed: most updates (names, hours) leave the tally alone.
        ("update", "UPDATE OF status, region_id", "OLD.status IS NOT NEW.status OR OLD.region_id IS NOT NEW.region_id",
         f"{_when(published.format(row='OLD'), add('OLD', -1))} "
         f"{_when(published.format(row='NEW'), add('NEW', 1))}"),
    ):
        statements += [f"DROP TRIGGER IF EXISTS agencies_tally_{name}",
                       f"CREATE TRIGGER agencies_tally_{name} AFTER {event} ON agencies_agency WHEN {when} "
                       f"BEGIN {body} END"]
    statements += ["DROP TRIGGER IF EXISTS agencies_tally_region_code",
                   "CREATE TRIGGER agencies_tally_region_code AFTER UPDATE OF code ON agencies_region "
                   "WHEN OLD.code IS NOT NEW.code BEGIN "
                   + "; ".join(part.strip() for part in REFRESH.strip().split(";")) + "; END"]
    return statements


def _when(condition: str, statement: str) -> str:
    """A trigger body cannot branch: the upsert's SELECT carries the condition instead."""
    return statement.replace(" ON CONFLICT", f" AND {condition} ON CONFLICT", 1)


def install_triggers(sender=None, using: str = "default", **kwargs) -> None:
    """(Re)create the triggers and count again; idempotent, run after each `migrate` (SQLite drops a
    table's triggers when a migration rebuilds it) and each `flush`, which sends the same signal: on
    SQLite a flush deletes the agencies row by row, and when it has emptied the tally before them, their
    delete triggers leave it at minus the agencies that were there."""
    if sender is not None and getattr(sender, "label", None) != "agencies":
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        if "agencies_regiontally" not in connection.introspection.table_names(cursor):
            return  # migrating to an older state
        execute_triggers(cursor, connection.vendor, "tally", postgresql=_postgres_triggers(),
                         sqlite=_sqlite_triggers())
    refresh(using)


def refresh(using: str = "default") -> None:
    """Count again from the agencies (the migration that adds the tally; triggers keep it after)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in filter(None, (part.strip() for part in REFRESH.split(";"))):
            cursor.execute(statement)
