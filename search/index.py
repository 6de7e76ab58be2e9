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
    agencies = list(Agency.objects.filter(_among("id", agency_ids)).order_by().values_list(
        "pk", "slug", "name", "name_zh", "region_id", "seat_id", "address", "postcode"))
    if not agencies:
        return
    ids = [row[0] for row in agencies]
    texts: dict[int, dict[str, list[str]]] = {pk: {field: [] for field in FIELDS} for pk in ids}
    if regions is None:
        regions = {}
    if unknown := ({row[4] for row in agencies} | {row[5] for row in agencies if row[5]}) - regions.keys():
        regions.update(_region_names(unknown))
    for pk, slug, name, name_zh, region_id, seat_id, address, postcode in agencies:
        texts[pk]["names"] += [name, name_zh]
        texts[pk]["places"].append(slug)  # the identifier in URLs: weighed as a place, not a second name
        texts[pk]["places"] += regions.get(region_id, []) + regions.get(seat_id, []) + [address, postcode]
        if names is not None:
            names.update((name, name_zh, *regions.get(region_id, ()), *regions.get(seat_id, ())))
    phones: dict[int, list[str]] = defaultdict(list)
    if not new:
        for agency_id, name, name_zh in AgencyName.objects.filter(_among("agency_id", ids)).order_by(
                "agency_id", "position", "pk").values_list("agency_id", "name", "name_zh"):
            texts[agency_id]["names"] += [name, name_zh]
            if names is not None:
                names.update((name, name_zh))
        for agency_id, value, e164 in Contact.objects.filter(_among("agency_id", ids)).order_by(
                "agency_id", "position", "pk").values_list("agency_id", "value", "e164"):
            texts[agency_id]["places"].append(value)
            phones[agency_id] += phone_forms(e164)
        for agency_id, text in Duty.objects.filter(_among("agency_id", ids)).order_by(
                "agency_id", "parent_id", "position").values_list("agency_id", "text"):
            texts[agency_id]["duties"].append(text)
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

    for pk in ids:
        fields = {field: [token for text in texts[pk][field] if text for token in analysed(text)]
                  for field in FIELDS}
        fields["places"] += phones.get(pk, [])
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


def _write(rows: list[tuple[int, dict[str, list[str]]]], stale: list[int]) -> None:
    bump_index_version(set(stale) | {pk for pk, _fields in rows})
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if stale:
                cursor.executemany("DELETE FROM search_document WHERE rowid = %s", [(pk,) for pk in stale])
            cursor.executemany(
                "INSERT INTO search_document (rowid, names, places, duties) VALUES (%s, %s, %s, %s)",
                [(pk, *(" ".join(fields[field]) for field in FIELDS)) for pk, fields in rows],
            )
        else:
            if stale:
                cursor.execute("DELETE FROM search_document WHERE rowid = ANY(%s)", [stale])
            # One statement per chunk, the documents as one JSON array written by json.dumps in C (psycopg
            # would dump an array of 1,000 texts value by value in Python, then quote it).
            cursor.execute(
                "INSERT INTO search_document (rowid, vector) "
                "SELECT (document->>0)::bigint, (document->>1)::tsvector FROM json_array_elements(%s::json) document",
                [json.dumps([(pk, tsvector_literal(fields)) for pk, fields in rows], ensure_ascii=False)],
            )


@transaction.atomic
def index_agencies(agency_ids: Iterable[int | None], *, created: Iterable[int] = ()) -> int:
    """Bring the documents of these agencies up to date (deleted agencies lose theirs). Returns how
    many documents were written. `created`: those of them created in this transaction (a bulk import's
    new rows), whose documents hold their own columns only."""
    ids = sorted({pk for pk in agency_ids if pk is not None})
    new = set(created)
    tokens: dict[str, list[str]] = {}
    regions: dict[int, list[str]] = {}
    found: dict[str, str] = {}
    written = 0
    for group, is_new in (([pk for pk in ids if pk not in new], False), ([pk for pk in ids if pk in new], True)):
        for start in range(0, len(group), CHUNK):
            chunk = group[start:start + CHUNK]
            names: set[str] = set()
            rows = list(documents(chunk, new=is_new, tokens=tokens, regions=regions, names=names))
            _write(rows, stale=chunk)
            words_of(names, found)
            written += len(rows)
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
    tokens: dict[str, list[str]] = {}
    regions: dict[int, list[str]] = {}
    found: dict[str, str] = {}
    written = 0
    for start in range(0, len(ids), CHUNK):
        names: set[str] = set()
        rows = list(documents(ids[start:start + CHUNK], tokens=tokens, regions=regions, names=names))
        _write(rows, stale=[])
        words_of(names, found)
        written += len(rows)
        if progress:
            progress(min(start + CHUNK, len(ids)), len(ids))
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
