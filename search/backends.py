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
    best first, with their scores (lower is better: FTS5's bm25, PostgreSQL's ts_rank negated).
    `complete` when that is every match."""
    ids: tuple[int, ...]
    complete: bool
    scores: tuple[float, ...] = ()


def _window(expression: str) -> Window:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT rowid, -ts_rank('{PG_WEIGHTS}'::float4[], vector, %s::tsquery) AS score FROM search_document "
                f"WHERE vector @@ %s::tsquery ORDER BY score, rowid LIMIT %s",
                [expression, expression, WINDOW + 1],
            )
        else:
            cursor.execute(
                f"SELECT rowid, bm25(search_document, {FTS5_WEIGHTS}) AS score FROM search_document "
                f"WHERE search_document MATCH %s ORDER BY score, rowid LIMIT %s",
                [expression, WINDOW + 1],
            )
        rows = cursor.fetchall()
    # One more than the window tells whether anything is left out.
    return Window(tuple(row[0] for row in rows[:WINDOW]), complete=len(rows) <= WINDOW,
                  scores=tuple(row[1] for row in rows[:WINDOW]))


#: a write that replaces at most this many documents is remembered (`remember_change`), so the windows
#: of the version before it are brought up to date by scoring those documents alone (FTS5 takes ~1.6 ms
#: a document for a word every document has; the whole window 50-65 ms at 100,000 agencies)
CHANGES_REMEMBERED = 16
CHANGE_LINKS = 8  # at most this many writes back


def _window_key(digest: str, version: str) -> str:
    from freshness.version import release

    return f"search-window:{release()}:{connection.vendor}:{version}:{digest}"


def _change_key(version: str) -> str:
    return f"search-change:{connection.vendor}:{version}"


def remember_change(version: str, previous: str, agency_ids: tuple[int, ...]) -> None:
    """After a commit (search.index.bump_index_version): index `version` differs from `previous` only
    in the documents of these agencies."""
    cache.set(_change_key(version), (previous, agency_ids), WINDOW_SECONDS)


def _scores(expression: str, ids: set[int]) -> list[tuple[float, int]]:
    """(score, id) of those of these documents that match, scored as `_window` scores."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT -ts_rank('{PG_WEIGHTS}'::float4[], vector, %s::tsquery), rowid FROM search_document "
                f"WHERE rowid = ANY(%s) AND vector @@ %s::tsquery",
                [expression, sorted(ids), expression],
            )
            return [(score, pk) for score, pk in cursor.fetchall()]
        found = []
        for pk in sorted(ids):  # FTS5 seeks one rowid in a word's list; it scans the list for an IN (…)
            cursor.execute(
                f"SELECT bm25(search_document, {FTS5_WEIGHTS}), rowid FROM search_document "
                f"WHERE search_document MATCH %s AND rowid = %s",
                [expression, pk],
            )
            found += cursor.fetchall()
        return found


def _brought_up_to_date(digest: str, expression: str, version: str) -> Window | None:
    """The window of a version a few writes back, with the documents those writes replaced scored
    again and put in their places; None when there is none to start from (or too much changed).
    Exact on PostgreSQL (ts_rank reads one document); on SQLite the other documents keep the scores
    they had, though bm25 weighs words by how many documents have them: the order of a common word's
    window, whose scores differ in the sixth decimal, may differ from a full scoring until its next
    one (an hour at most, or a write of more than CHANGES_REMEMBERED documents)."""
    changed: set[int] = set()
    at, old = version, None
    for _link in range(CHANGE_LINKS):
        link = cache.get(_change_key(at))
        if link is None:
            return None
        at, ids = link
        changed.update(ids)
        if len(changed) > CHANGES_REMEMBERED:
            return None
        old = cache.get(_window_key(digest, at))
        if old is not None:
            break
    if old is None or len(old.scores) != len(old.ids):
        return None
    entries = [(score, pk) for pk, score in zip(old.ids, old.scores, strict=True) if pk not in changed]
    fresh = _scores(expression, changed)
    if not old.complete:
        # Beyond the old window's last entry lie documents it never listed: a rescored document that
        # falls there cannot be placed, and a window left short cannot be filled.
        last = (old.scores[-1], old.ids[-1])
        fresh = [entry for entry in fresh if entry <= last]
    merged = sorted(entries + fresh)
    if not old.complete and len(merged) < WINDOW:
        return None
    kept = merged[:WINDOW]
    return Window(tuple(pk for _score, pk in kept), complete=old.complete and len(merged) <= WINDOW,
                  scores=tuple(score for score, _pk in kept))


def window(clauses: list[Clause], require_all: bool = True, version: str | None = None) -> Window:
    """Scoring every match is what costs with a common word (73,000-100,000 bureaus say "science"):
    the index scores them once per index version, and every request after that reads the best
    `WINDOW` ids from the shared cache. Never stale: the key moves with every write to the documents
    (`search.index.index_version`); edits that leave them as they were keep the window, and a write of
    a few documents brings the window before it up to date (`_brought_up_to_date`)."""
    from search.index import index_version

    expression = engine_query(clauses, require_all)
    digest = hashlib.blake2b(expression.encode(), digest_size=16).hexdigest()
    version = version or index_version()
    key = _window_key(digest, version)
    found = cache.get(key)
    if found is None:
        found = _brought_up_to_date(digest, expression, version) or _window(expression)
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
