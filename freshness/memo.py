"""Expensive reads shared by every worker until the content changes."""
from __future__ import annotations

import threading
from collections import OrderedDict
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


#: the answers this process served last (`stored_answer`), least recently used first, and their bytes
_answers: OrderedDict[str, tuple[object, int]] = OrderedDict()
_answers_lock = threading.Lock()
_answer_bytes = 0
LOCAL_ANSWER_BYTES = 32 * 1024 * 1024


def stored_answer(key: str, current: Callable[[tuple], bool] | None = None) -> tuple | None:
    """A rendered answer from the shared cache, with this process's copy of it in front: the answers
    most asked for (a spike's few bureaus, the home page) cost no round trip to Redis and no unpickling.
    `key` must hold the content version and release, as `freshness.pages.answer_key` does: a copy is
    then never stale, however long it stays (a new version asks for another key). `current(entry)`: whether
    an answer that shows the clock still holds (else another worker may have stored its successor)."""
    with _answers_lock:
        if (kept := _answers.get(key)) is not None:
            if current is None or current(kept[0]):
                _answers.move_to_end(key)
                return kept[0]
    entry = cache.get(key)
    if entry is not None and current is not None and not current(entry):
        return None
    if entry is not None:
        _keep(key, entry, len(entry[-1]))
    return entry


def store_answer(key: str, entry: tuple, timeout: int) -> None:
    """Store a rendered answer (its body last) for every worker, and keep this process's copy."""
    cache.set(key, entry, timeout)
    _keep(key, entry, len(entry[-1]))


def _keep(key: str, entry: object, size: int) -> None:
    global _answer_bytes
    if size > LOCAL_ANSWER_BYTES // 8:
        return
    with _answers_lock:
        if (kept := _answers.pop(key, None)) is not None:  # a successor (an answer showing the clock)
            _answer_bytes -= kept[1]
        _answers[key] = (entry, size)
        _answer_bytes += size
        while _answer_bytes > LOCAL_ANSWER_BYTES:
            _old, (_entry, old_size) = _answers.popitem(last=False)
            _answer_bytes -= old_size


def forget_local() -> None:
    """Drop this process's copies (tests: a rolled-back transaction gives its version number back)."""
    global _answer_bytes
    _local.clear()
    with _answers_lock:
        _answers.clear()
        _answer_bytes = 0
