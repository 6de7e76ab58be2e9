"""The index: one search document per agency, with three weighted fields.

- names: English and Chinese names and other names (weight highest);
- places: region and the regions above it, seat city, address, postcode, contact values (with phone
  numbers in every form people dial them);
- duties: every duty text.

Both databases get the same tokens from `search.analysis`: FTS5 columns on SQLite, a tsvector with
weights A (names), B (places), D (duties) on PostgreSQL."""
from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from agencies.models import Agency, AgencyName, Contact, Region
from duties.models import Duty
from search.analysis import index_tokens, phone_forms
from search.suggest import remember, words_of

FIELDS = ("names", "places", "duties")
PG_WEIGHTS = {"names": "A", "places": "B", "duties": "D"}
PG_MAX_POSITION = 16383
CHUNK = 1000


def _region_names(region_ids: set[int]) -> dict[int, list[str]]:
    """Each region's names and those of the regions above it (at most three levels)."""
    names: dict[int, list[str]] = {}
    rows = {pk: (name, name_zh, parent) for pk, name, name_zh, parent in
            Region.objects.filter(_among("id", list(region_ids))).values_list("pk", "name", "name_zh", "parent_id")}
    missing = {parent for _n, _z, parent in rows.values() if parent and parent not in rows}
    while missing:
        more = {pk: (name, name_zh, parent) for pk, name, name_zh, parent in
                Region.objects.filter(_among("id", list(missing))).values_list("pk", "name", "name_zh", "parent_id")}
        rows.update(more)
        missing = {parent for _n, _z, parent in more.values() if parent and parent not in rows}
    for pk in region_ids:
        chain, node = [], pk
        while node and node in rows and len(chain) < 6:
            name, name_zh, parent = rows[node]
            chain += [name, name_zh]
            node = parent
        names[pk] = chain
    return names


def _among(column: str, ids: list[int]) -> Q | RawSQL:
    """`column IN (ids)`; on PostgreSQL `column = ANY(ids)`, one array parameter (psycopg would split and
    quote a statement of 1,000 placeholders in Python, four per chunk)."""
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": ids})
    return RawSQL(f"{connection.ops.quote_name(column)} = ANY(%s)", [list(ids)], output_field=BooleanField())


@contextmanager
def pipelined() -> Iterator[None]:
    """Statements run in this block are sent without waiting for their answers (PostgreSQL's pipeline
    mode, psycopg 3; elsewhere nothing changes): the server works on one while Python prepares the
    next. A statement's answer is waited for when its rows are read, which waits for every statement
    sent before it too; an error comes at the latest when the block ends, as Django's database error,
    and rolls the surrounding transaction back. Only inside a transaction: outside one, each statement
    would be committed before the next was checked."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("pipelined() needs a transaction (transaction.atomic)")
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


#: distinct texts whose tokens one indexing run keeps (region names and standard duty wordings recur
#: across chunks; a rebuild's own names do not, so the memory stays bounded)
TOKEN_CACHE = 20_000


def documents(agency_ids: list[int], *, new: bool = False, tokens: dict[str, list[str]] | None = None,
              regions: dict[int, list[str]] | None = None,
              names: set[str] | None = None) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """(agency id, {field: tokens}) for the agencies that exist among `agency_ids`. `new`: agencies
    created in this transaction, which no other name, contact or duty can name yet (three queries
    fewer per chunk). `tokens` and `regions`: analysed texts and region names shared between the chunks
    of one run (most chunks name the same regions again). `names`: gets every name and place name
    indexed, as written (the words "Did you mean …?" may offer)."""
    regions = {} if regions is None else regions
    return _analyse(_texts(agency_ids, new, regions=regions), tokens=tokens, regions=regions, names=names)


@dataclass
class _Texts:
    """What the database holds for a chunk's documents, read but not yet analysed."""
    agencies: list[tuple]
    texts: dict[int, dict[str, list[str]]]
    phones: dict[int, list[str]]
    other_names: list[tuple[str, str]]


def _texts(agency_ids: list[int], new: bool, *, regions: dict[int, list[str]]) -> _Texts:
    """The reading half of `documents` (every query it makes; `regions` gets the names it looks up)."""
    agencies = list(Agency.objects.filter(_among("id", agency_ids)).order_by().values_list(
        "pk", "slug", "name", "name_zh", "region_id", "seat_id", "address", "postcode"))
    ids = [row[0] for row in agencies]
    texts: dict[int, dict[str, list[str]]] = {pk: {field: [] for field in FIELDS} for pk in ids}
    if unknown := ({row[4] for row in agencies} | {row[5] for row in agencies if row[5]}) - regions.keys():
        regions.update(_region_names(unknown))
    phones: dict[int, list[str]] = defaultdict(list)
    other_names: list[tuple[str, str]] = []
    if agencies and not new:
        for agency_id, name, name_zh in AgencyName.objects.filter(_among("agency_id", ids)).order_by(
                "agency_id", "position", "pk").values_list("agency_id", "name", "name_zh"):
            texts[agency_id]["names"] += [name, name_zh]
            other_names.append((name, name_zh))
        for agency_id, value, e164 in Contact.objects.filter(_among("agency_id", ids)).order_by(
                "agency_id", "position", "pk").values_list("agency_id", "value", "e164"):
            texts[agency_id]["places"].append(value)
            phones[agency_id] += phone_forms(e164)
        for agency_id, text in Duty.objects.filter(_among("agency_id", ids)).order_by(
                "agency_id", "parent_id", "position").values_list("agency_id", "text"):
            texts[agency_id]["duties"].append(text)
    return _Texts(agencies, texts, phones, other_names)


def _analyse(read: _Texts, *, tokens: dict[str, list[str]] | None, regions: dict[int, list[str]],
             names: set[str] | None) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """The analysing half of `documents` (no query)."""
    texts = read.texts
    for pk, slug, name, name_zh, region_id, seat_id, address, postcode in read.agencies:
        places = texts[pk]["places"]
        texts[pk]["names"][:0] = [name, name_zh]  # the agency's own names before its other names
        # The slug (the identifier in URLs) is weighed as a place, not a second name.
        places[:0] = [slug, *regions.get(region_id, []), *regions.get(seat_id, []), address, postcode]
        if names is not None:
            names.update((name, name_zh, *regions.get(region_id, ()), *regions.get(seat_id, ())))
    if names is not None:
        for other in read.other_names:
            names.update(other)
    # Region names, seat cities and standard duty wordings recur from agency to agency: each distinct
    # text is analysed once per run.
    if tokens is None:
        tokens = {}
    elif len(tokens) > TOKEN_CACHE:
        tokens.clear()

    def analysed(text: str) -> list[str]:
        if text not in tokens:
            tokens[text] = index_tokens(text)
        return tokens[text]

    for pk, *_columns in read.agencies:
        fields = {field: [token for text in texts[pk][field] if text for token in analysed(text)]
                  for field in FIELDS}
        fields["places"] += read.phones.get(pk, [])
        yield pk, fields


def tsvector_literal(fields: dict[str, list[str]]) -> str:
    """'token':1A,7A 'other':3B … — positions and weights exactly as FTS5 sees its columns (a gap of one
    position between fields, so no phrase runs across two of them)."""
    positions: dict[str, list[str]] = {}
    offset, weights = 1, PG_WEIGHTS
    for field in FIELDS:
        places = _PLACES[field]
        tokens = fields[field]
        for position, token in enumerate(tokens, offset):
            place = places[position] if position < PLACES_MADE else f"{min(position, PG_MAX_POSITION)}{weights[field]}"
            if token in positions:
                positions[token].append(place)
            else:
                positions[token] = [place]
        offset += len(tokens) + 1
    return " ".join([f"'{_tsvector_quote(token)}':{','.join(places if len(places) <= 256 else places[:256])}"
                     for token, places in positions.items()])


#: "7A", "12B" …: each position's text made once, not once per token of every document
PLACES_MADE = 4096
_PLACES = {field: [f"{position}{weight}" for position in range(PLACES_MADE)] for field, weight in PG_WEIGHTS.items()}


def _tsvector_quote(token: str) -> str:
    if "'" in token or "\\" in token:
        return token.replace("\\", "\\\\").replace("'", "''")
    return token


def index_version() -> str:
    """Which documents the index holds (one primary-key read); see `IndexVersion`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT number, salt FROM search_indexversion WHERE id = 1")
        row = cursor.fetchone()
    if row is None:  # a new or flushed database: the row comes back (another process may win the race)
        try:
            with transaction.atomic():
                bump_index_version()
        except IntegrityError:
            pass
        with connection.cursor() as cursor:
            cursor.execute("SELECT number, salt FROM search_indexversion WHERE id = 1")
            row = cursor.fetchone()
    return f"{row[0]}.{row[1]}"


def bump_index_version(changed: set[int] | None = None) -> None:
    """In the writing transaction: the new version is seen exactly when the new documents are.
    `changed`: the agencies whose documents the write replaces; when they are few, which version came
    before is remembered at commit, so windows are brought up to date rather than scored again
    (`search.backends.remember_change`)."""
    from search.backends import CHANGES_REMEMBERED, remember_change

    salt = secrets.randbelow(10**12)
    with connection.cursor() as cursor:
        previous = None
        if changed is not None and len(changed) <= CHANGES_REMEMBERED:
            lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"SELECT number, salt FROM search_indexversion WHERE id = 1{lock}")
            previous = cursor.fetchone()
        cursor.execute("UPDATE search_indexversion SET number = number + 1, salt = %s WHERE id = 1", [salt])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO search_indexversion (id, number, salt) VALUES (1, 1, %s)", [salt])
            previous = None
    if previous is not None:
        number, old_salt = previous
        transaction.on_commit(partial(remember_change, f"{number + 1}.{salt}", f"{number}.{old_salt}",
                                      tuple(sorted(changed))))


def _stored(rows: list[tuple[int, dict[str, list[str]]]]) -> list:
    """The documents as `_write` sends them: FTS5 rows, or one JSON array of tsvector literals written
    by json.dumps in C (psycopg would dump an array of 1,000 texts value by value in Python, then quote it)."""
    if connection.vendor == "sqlite":
        return [(pk, *(" ".join(fields[field]) for field in FIELDS)) for pk, fields in rows]
    return [json.dumps([(pk, tsvector_literal(fields)) for pk, fields in rows], ensure_ascii=False)]


def _write(stored: list, stale: list[int]) -> None:
    """Replace the documents of `stale` by those `_stored` made (the caller has bumped the index version)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if stale:
                cursor.executemany("DELETE FROM search_document WHERE rowid = %s", [(pk,) for pk in stale])
            cursor.executemany("INSERT INTO search_document (rowid, names, places, duties) VALUES (%s, %s, %s, %s)",
                               stored)
        else:
            if stale:
                cursor.execute("DELETE FROM search_document WHERE rowid = ANY(%s)", [stale])
            cursor.execute(
                "INSERT INTO search_document (rowid, vector) "
                "SELECT (document->>0)::bigint, (document->>1)::tsvector FROM json_array_elements(%s::json) document",
                stored,
            )


def _index_chunks(chunks: list[tuple[list[int], bool]], found: dict[str, str], *, replace: bool = True,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Write the documents of each chunk of agency ids (with whether they were created in this
    transaction), replacing theirs if `replace`; the words of their names go to `found`. Pipelined:
    while the database writes one chunk's documents, Python analyses the next. A chunk's documents are
    made before the next chunk's texts are read, and sent after: the read waits for the write before
    (one chunk's work of Python later), never for this one."""
    tokens: dict[str, list[str]] = {}
    regions: dict[int, list[str]] = {}
    written, done, total = 0, 0, sum(len(chunk) for chunk, _new in chunks)
    with pipelined():
        read = _texts(*chunks[0], regions=regions) if chunks else None
        for number, (chunk, _new) in enumerate(chunks):
            names: set[str] = set()
            rows = list(_analyse(read, tokens=tokens, regions=regions, names=names))
            stored = _stored(rows)
            if number + 1 < len(chunks):
                read = _texts(*chunks[number + 1], regions=regions)
            _write(stored, stale=chunk if replace else [])
            words_of(names, found)
            written += len(rows)
            done += len(chunk)
            if progress:
                progress(done, total)
    return written


@transaction.atomic
def index_agencies(agency_ids: Iterable[int | None], *, created: Iterable[int] = ()) -> int:
    """Bring the documents of these agencies up to date (deleted agencies lose theirs). Returns how
    many documents were written. `created`: those of them created in this transaction (a bulk import's
    new rows), whose documents hold their own columns only."""
    ids = sorted({pk for pk in agency_ids if pk is not None})
    new = set(created)
    groups = (([pk for pk in ids if pk not in new], False), ([pk for pk in ids if pk in new], True))
    chunks = [(group[start:start + CHUNK], is_new) for group, is_new in groups for start in range(0, len(group), CHUNK)]
    if not chunks:
        return 0
    bump_index_version(set(ids))
    found: dict[str, str] = {}
    written = _index_chunks(chunks, found)
    remember(found)
    return written


def agencies_of_regions(region_ids: Iterable[int]) -> list[int]:
    """Agencies whose region, seat, or a region above either is one of these."""
    codes = list(Region.objects.filter(pk__in=list(region_ids)).values_list("code", "level"))
    if not codes:
        return []

    condition = Q()
    for code, level in codes:
        prefix = code[:2] if level == Region.Level.PROVINCE else code[:4] if level == Region.Level.PREFECTURE else code
        condition |= Q(region__code__startswith=prefix) | Q(seat__code__startswith=prefix)
    return list(Agency.objects.filter(condition).values_list("pk", flat=True))


@transaction.atomic
def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every document from scratch; `progress(done, total)` is called after each chunk."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document")
    bump_index_version()
    ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    found: dict[str, str] = {}
    written = _index_chunks([(ids[start:start + CHUNK], False) for start in range(0, len(ids), CHUNK)], found,
                            replace=False, progress=progress)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_document (search_document) VALUES ('optimize')")
    remember(found, replace=True)  # and the words of names no agency has any more go
    from freshness.version import bump

    bump()  # pages rendered from the old index are of no use now
    return written


def index_size() -> int:
    """Bytes the index takes on disk (FTS5 shadow tables, or the PostgreSQL table with its GIN index)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_document%%'")
        else:
            cursor.execute("SELECT pg_total_relation_size('search_document')")
        return int(cursor.fetchone()[0] or 0)
