"""Expensive reads shared by every worker until the content changes."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from freshness import version as content_version

T = TypeVar("T")
MISSING = object()
LOCAL_ENTRIES = 64
#: `remember(local=True)`: this process's copies, keyed like the shared cache (so on the version)
_local: dict[str, object] = {}


def remember(
    name: str, compute: Callable[[], T], timeout: int = 3600, version: content_version.Version | None = None,
    *, local: bool = False,
) -> T:
    """`compute()` once per content version (and release), from the shared cache after that.
    `None` is remembered too (an unknown slug stays unknown until something is written).

    `local`: also keep the value in this process, for small values read by most requests (the
    calendar): no round trip to the cache and no unpickling. It can't go stale — the key holds the
    version, read per request — and the value is shared by this process's threads, so it must be
    one that nobody changes."""
    key = f"memo:{(version or content_version.current()).key}:{name}"
    if local and (value := _local.get(key, MISSING)) is not MISSING:
        return value
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(key, value, timeout)
    if local:
        if len(_local) >= LOCAL_ENTRIES:  # old versions' entries: drop them all
            _local.clear()
        _local[key] = value
    return value


def forget_local() -> None:
    """Drop this process's copies (tests: a rolled-back transaction gives its version number back)."""
    _local.clear()
