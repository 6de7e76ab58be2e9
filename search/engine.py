"""The one search entry point: site, API and querysets all come here."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.db.models import QuerySet

from freshness.memo import remember
from search import backends
from search.index import index_version
from search.query import ParsedQuery, parse
from search.suggest import Suggestion, suggest
from search.synonyms import synonym_groups


@dataclass
class SearchResults:
    queryset: QuerySet  # ranked: best first (order_by -search_rank, name, pk)
    query: ParsedQuery  # what was searched (the suggestion's words when `corrected`)
    partial: bool = False  # no agency has every word: these have some of them
    suggestion: Suggestion | None = None
    corrected: bool = False  # the suggestion was confident: these are its results
    require_all: bool = True
    base: QuerySet | None = None
    capped: bool = False  # more agencies match: only the best `backends.WINDOW` of them are listed
    windowed: bool = False  # the queryset lists ids from the index's window (nothing left to score)
    window: backends.Window | None = None
    by_relevance: bool = True  # False when the caller orders the queryset otherwise (API `ordering`)
    top_only: bool = False  # the caller's whole list (no filter): the same for every request until a write

    @cached_property
    def _window_ids(self) -> list[int] | None:
        """A windowed search: the ids of every listed agency, best first, from one narrow query (which
        of the window's ids the queryset's filters allow), ordered here by their place in the window.
        For the whole list (`top_only`) the answer is remembered until the next write: which of a
        common word's thousand ids are published took 1.6-1.8 ms of SQL per request."""
        if not (self.windowed and self.window is not None):
            return None
        listed = self.unranked().values_list("pk", flat=True)

        def ordered() -> list[int]:
            place = {pk: index for index, pk in enumerate(self.window.ids)}
            return sorted(listed, key=place.__getitem__)

        if not self.top_only:
            return ordered()
        sql, params = listed.query.sql_with_params()  # the window's ids are among the parameters
        digest = hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
        return remember(f"search-listed:{connection.vendor}:{digest}", ordered)

    @property
    def ranked_ids(self) -> list[int] | None:
        """The listed ids in relevance order, when the window has them and the list is by relevance: they
        stand for the queryset's count and page of ids (two queries, one of which sorted a thousand ids
        in SQL). None when the queryset must answer."""
        return self._window_ids if self.by_relevance else None

    def any(self) -> bool:
        ids = self._window_ids
        return bool(ids) if ids is not None else self.queryset.exists()

    def unranked(self) -> QuerySet:
        """The same agencies, without scoring them (for a count)."""
        if not self.query:
            return self.queryset
        if self.windowed:
            return self.queryset.order_by().values("pk")  # the window's rank need not be computed
        return backends.matching(self.base, self.query.clauses, self.require_all, ranked=False)

    @property
    def suggestion_text(self) -> str | None:
        return self.suggestion.text if self.suggestion else None


def _ranked(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("-search_rank", "name", "pk")


def _matches(
    queryset: QuerySet, clauses: list, require_all: bool, top_only: bool, version: str
) -> tuple[QuerySet, dict]:
    """The ranked matches, and how they were found. The index's window (the best ids, scored once per
    index version) answers whenever it holds every match, or when only the top is asked for;
    otherwise (a common word within narrowing filters) the database scores the filtered matches."""
    found = backends.window(clauses, require_all, version)
    if found.complete or top_only:
        return _ranked(backends.in_window(queryset, found)), {
            "capped": not found.complete, "windowed": True, "window": found, "top_only": top_only,
        }
    return _ranked(backends.matching(queryset, clauses, require_all)), {}


def search_agencies(
    queryset: QuerySet, text: str, *, suggestions: bool = True, top_only: bool = False
) -> SearchResults:
    """Agencies of `queryset` whose document has every word of `text`, best first. When none has all
    of them: a confident typo correction's results if there are any, else the agencies with some of
    the words (labelled partial).

    `top_only`: the caller lists `queryset` as it is (no other filter, no other order): when more
    than `backends.WINDOW` documents match, only the best of them are listed (`capped`)."""
    parsed = parse(text, synonym_groups())
    if not parsed:
        return SearchResults(queryset.none(), parsed, base=queryset)
    version = index_version()  # read once for every window this search asks for
    full, how = _matches(queryset, parsed.clauses, True, top_only, version)
    results = SearchResults(full, parsed, base=queryset, **how)
    if not suggestions or results.any():
        # Every word matched somewhere, so none of them is a typo that finds nothing.
        return results
    suggestion = suggest(text, parsed.clauses, lambda clause: backends.clause_exists(clause, version))
    if suggestion and suggestion.confident:
        corrected = parse(suggestion.text, synonym_groups())
        if corrected:
            fixed, fixed_how = _matches(queryset, corrected.clauses, True, top_only, version)
            fixed_results = SearchResults(fixed, corrected, suggestion=suggestion, corrected=True, base=queryset,
                                          **fixed_how)
            if fixed_results.any():
                return fixed_results
    if len(parsed.clauses) > 1:
        some, some_how = _matches(queryset, parsed.clauses, False, top_only, version)
        return SearchResults(some, parsed, partial=True, suggestion=suggestion, require_all=False, base=queryset,
                             **some_how)
    results.suggestion = suggestion
    return results
