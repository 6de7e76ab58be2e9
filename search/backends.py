"""The two index engines behind one interface: narrow a queryset of agencies to those whose document
matches, annotated with `search_rank` (higher is better)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import FloatField, QuerySet
from django.db.models.expressions import RawSQL

from search.query import Clause, fts5_match, tsquery

#: how many of the best-ranked documents a query's window holds (see `window`)
WINDOW = 1000
WINDOW_SECONDS = 3600  # an unused window leaves the cache after an hour

# Names above places above duties (FTS5 bm25 column weights; PostgreSQL weights of D, C, B, A).
FTS5_WEIGHTS = "10.0, 4.0, 1.0"
PG_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"


def engine_query(clauses: list[Clause], require_all: bool = True) -> str:
    """The engine's own query text for these clauses (what the bench calls 'the raw index query')."""
    if connection.vendor == "postgresql":
        return tsquery(clauses, require_all)
    return fts5_match(clauses, require_all)


def matching(queryset: QuerySet, clauses: list[Clause], require_all: bool = True, ranked: bool = True) -> QuerySet:
    """`ranked=False` leaves out the rank (a count need not score every match)."""
    expression = engine_query(clauses, require_all)
    # The inner join to the index; its alias is the table name (nothing else joins it).
    queryset = queryset.filter(search_document__isnull=False)
    if connection.vendor == "postgresql":
        queryset = queryset.extra(where=['"search_document"."vector" @@ %s::tsquery'], params=[expression])
        rank = RawSQL(f"ts_rank('{PG_WEIGHTS}'::float4[], \"search_document\".\"vector\", %s::tsquery)",
                      [expression], output_field=FloatField())
    else:
        queryset = queryset.extra(where=["search_document MATCH %s"], params=[expression])
        rank = RawSQL(f"-bm25(search_document, {FTS5_WEIGHTS})", [], output_field=FloatField())
    return queryset.annotate(search_rank=rank) if ranked else queryset


def raw_top(clauses: list[Clause], limit: int = 20) -> list[int]:
    """The index alone: the best `limit` agency ids (drafts included), for the benchmarks."""
    expression = engine_query(clauses)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT rowid FROM search_document WHERE vector @@ %s::tsquery "
                f"ORDER BY ts_rank('{PG_WEIGHTS}'::float4[], vector, %s::tsquery) DESC LIMIT %s",
                [expression, expression, limit],
            )
        else:
            cursor.execute(
                f"SELECT rowid FROM search_document WHERE search_document MATCH %s "
                f"ORDER BY bm25(search_document, {FTS5_WEIGHTS}) LIMIT %s",
                [expression, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def clause_exists(clause: Clause, version: str | None = None) -> bool:
    """Whether any document at all matches this one clause (for typo suggestions). Asked of the
    window, not with `LIMIT 1`: for a word no document has, PostgreSQL's planner bets on a sequential
    scan that finds a row early, and reads all 100,000 vectors (86 ms) to find none."""
    return bool(window([clause], version=version).ids)


@dataclass(frozen=True)
class Window:
    """The index's own answer to a query, drafts included: the ids of its best `WINDOW` documents,
    best first. `complete` when that is every match."""
    ids: tuple[int, ...]
    complete: bool


def _window(expression: str) -> Window:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT rowid FROM search_document WHERE vector @@ %s::tsquery "
                f"ORDER BY ts_rank('{PG_WEIGHTS}'::float4[], vector, %s::tsquery) DESC, rowid LIMIT %s",
                [expression, expression, WINDOW + 1],
            )
        else:
            cursor.execute(
                f"SELECT rowid FROM search_document WHERE search_document MATCH %s "
                f"ORDER BY bm25(search_document, {FTS5_WEIGHTS}), rowid LIMIT %s",
                [expression, WINDOW + 1],
            )
        ids = tuple(row[0] for row in cursor.fetchall())
    # One more than the window tells whether anything is left out.
    return Window(ids[:WINDOW], complete=len(ids) <= WINDOW)


def window(clauses: list[Clause], require_all: bool = True, version: str | None = None) -> Window:
    """Scoring every match is what costs with a common word (73,000-100,000 bureaus say "science"):
    the index scores them once per index version, and every request after that reads the best
    `WINDOW` ids from the shared cache. Never stale: the key moves with every write to the documents
    (`search.index.index_version`); edits that leave them as they were keep the window."""
    from freshness.version import release
    from search.index import index_version

    expression = engine_query(clauses, require_all)
    digest = hashlib.blake2b(expression.encode(), digest_size=16).hexdigest()
    key = f"search-window:{release()}:{connection.vendor}:{version or index_version()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = _window(expression)
        cache.set(key, found, WINDOW_SECONDS)
    return found


def in_window(queryset: QuerySet, found: Window) -> QuerySet:
    """The agencies of `queryset` among the window's ids, annotated with `search_rank` (higher is
    better) from their place in the window: no scoring, no full-text lookup. The ids travel as one
    text parameter (a thousand parameters cost Django more to prepare than the database to read)."""
    if connection.vendor == "postgresql":
        listed = "{" + ",".join(map(str, found.ids)) + "}"
        # The place from a jsonb object (a binary search per row), not array_position (a scan of the
        # thousand ids per row): the page of a common word's window in 2.7 ms instead of 6.3.
        places = "{" + ",".join(f'"{pk}":{place}' for place, pk in enumerate(found.ids, 1)) + "}"
        position = RawSQL('(%s::jsonb ->> "agencies_agency"."id"::text)::int', [places], output_field=FloatField())
        queryset = queryset.extra(where=['"agencies_agency"."id" = ANY(%s::int[])'], params=[listed])
    else:
        listed = "," + ",".join(map(str, found.ids)) + ","
        position = RawSQL("""instr(%s, ',' || "agencies_agency"."id" || ',')""", [listed], output_field=FloatField())
        queryset = queryset.extra(
            where=['"agencies_agency"."id" IN (SELECT value FROM json_each(%s))'], params=["[" + listed[1:-1] + "]"],
        )
    return queryset.annotate(search_rank=-position)
