"""The one search entry point: site, API and querysets all come here."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from search import backends
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

    def unranked(self) -> QuerySet:
        """The same agencies, without scoring them (for a count)."""
        if not self.query:
            return self.queryset
        return backends.matching(self.base, self.query.clauses, self.require_all, ranked=False)

    base: QuerySet | None = None

    @property
    def suggestion_text(self) -> str | None:
        return self.suggestion.text if self.suggestion else None


def _ranked(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("-search_rank", "name", "pk")


def search_agencies(queryset: QuerySet, text: str, *, suggestions: bool = True) -> SearchResults:
    """Agencies of `queryset` whose document has every word of `text`, best first. When none has all
    of them: a confident typo correction's results if there are any, else the agencies with some of
    the words (labelled partial)."""
    parsed = parse(text, synonym_groups())
    if not parsed:
        return SearchResults(queryset.none(), parsed, base=queryset)
    full = _ranked(backends.matching(queryset, parsed.clauses))
    if not suggestions:
        return SearchResults(full, parsed, base=queryset)
    if full.exists():
        # Every word matched somewhere, so none of them is a typo that finds nothing.
        return SearchResults(full, parsed, base=queryset)
    suggestion = suggest(text, parsed.clauses, backends.clause_exists)
    if suggestion and suggestion.confident:
        corrected = parse(suggestion.text, synonym_groups())
        if corrected:
            fixed = _ranked(backends.matching(queryset, corrected.clauses))
            if fixed.exists():
                return SearchResults(fixed, corrected, suggestion=suggestion, corrected=True, base=queryset)
    if len(parsed.clauses) > 1:
        some = _ranked(backends.matching(queryset, parsed.clauses, require_all=False))
        return SearchResults(some, parsed, partial=True, suggestion=suggestion, require_all=False, base=queryset)
    return SearchResults(full, parsed, suggestion=suggestion, base=queryset)
