"""Expensive reads shared by every worker until the content changes."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from freshness import version as content_version

T = TypeVar("T")
MISSING = object()


def remember(
    name: str, compute: Callable[[], T], timeout: int = 3600, version: content_version.Version | None = None
) -> T:
    """`compute()` once per content version (and release), from the shared cache after that.
    `None` is remembered too (an unknown slug stays unknown until something is written)."""
    key = f"memo:{(version or content_version.current()).key}:{name}"
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value
