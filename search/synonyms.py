"""Synonym groups for the query (read once and cached; saving a synonym forgets the cache)."""
from __future__ import annotations

from django.core.cache import cache

CACHE_KEY = "search:synonym-groups"


def synonym_groups() -> list[list[str]]:
    """Connected groups of forms: S&T ↔ science and technology ↔ sci-tech is one group of three."""
    groups = cache.get(CACHE_KEY)
    if groups is None:
        from search.models import Synonym

        parent: dict[str, str] = {}

        def find(form: str) -> str:
            while parent.setdefault(form, form) != form:
                form = parent[form]
            return form

        for term, equivalent in Synonym.objects.values_list("term", "equivalent"):
            parent[find(term)] = find(equivalent)
        members: dict[str, list[str]] = {}
        for form in sorted(parent):
            members.setdefault(find(form), []).append(form)
        groups = sorted(members.values())
        cache.set(CACHE_KEY, groups, 3600)
    return groups


def forget_synonyms() -> None:
    cache.delete(CACHE_KEY)
