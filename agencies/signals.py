"""Signals other apps listen to (the search index): agencies changed by bulk writes, which send no
model signals, and a way to say "this is one bulk write" to per-row listeners."""
import contextlib
import contextvars
from collections.abc import Iterator

from django.dispatch import Signal

#: sent with `agency_ids` (and/or `region_ids`) after bulk writes: imports, the synthetic generator;
#: `created_ids`, those of the agencies that the write created (nothing else can name them yet)
agencies_bulk_changed = Signal()

_bulk = contextvars.ContextVar("agencies_bulk_write", default=False)


@contextlib.contextmanager
def bulk_write() -> Iterator[None]:
    """Per-row listeners skip the rows saved or deleted inside; the writer sends
    `agencies_bulk_changed` once at the end instead."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def in_bulk_write() -> bool:
    return _bulk.get()
