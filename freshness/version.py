"""Reading the content version, and the release fingerprint of the code that renders it."""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

import holidays
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from freshness.models import ContentVersion


@dataclass(frozen=True)
class Version:
    number: int
    salt: int
    changed_at: dt.datetime

    @property
    def key(self) -> str:
        """What a cached answer is keyed on: the content and the code that rendered it."""
        return f"{release()}.{self.number}.{self.salt}"

    def last_modified(self, now: dt.datetime | None = None) -> int | None:
        """`changed_at` rounded up to the second, as HTTP dates go — but only once that second is
        over: until then another write could land in the same second and look unmodified."""
        stamp = math.ceil(self.changed_at.timestamp())
        now = now or timezone.now()
        return stamp if now.timestamp() >= stamp else None


def _read(using: str) -> tuple | None:
    """The row, in one plain primary-key SELECT: every anonymous answer and every 304 starts here, so
    it skips the ORM's query building (a third of a cached page's cost)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, salt, changed_at FROM {ContentVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    number, salt, changed_at = row
    if isinstance(changed_at, str):
        changed_at = parse_datetime(changed_at)
    if timezone.is_naive(changed_at):  # SQLite stores UTC without an offset
        changed_at = timezone.make_aware(changed_at, dt.UTC)
    return number, salt, changed_at


#: the version an anonymous page being rendered is keyed on (see `pinned`)
_pinned: ContextVar[Version | None] = ContextVar("pinned_content_version", default=None)


@contextmanager
def pinned(version: Version) -> Iterator[None]:
    """While a cached page renders, what it remembers (memo.remember) is remembered under the version
    the page itself is keyed on: one read of the row per page, not one per memo."""
    token = _pinned.set(version)
    try:
        yield
    finally:
        _pinned.reset(token)


def current(using: str = "default") -> Version:
    """One primary-key read. The row is created by the migration; a flushed table gets it back."""
    if using == "default" and (version := _pinned.get()) is not None:
        return version
    row = _read(using)
    if row is None:
        try:
            with transaction.atomic(using=using):
                ContentVersion.objects.using(using).create(
                    pk=1, number=1, salt=int.from_bytes(hashlib.sha256(str(timezone.now()).encode()).digest()[:5]),
                    changed_at=timezone.now(),
                )
        except IntegrityError:
            pass  # another process created it first
        return current(using)
    return Version(*row)


def bump(using: str = "default") -> None:
    """Move the version by hand, for writes no trigger sees (the search index's own tables: answers
    memoised from the index must not outlive a rebuild)."""
    from django.db.models import F

    current(using)  # the row exists
    ContentVersion.objects.using(using).filter(pk=1).update(number=F("number") + 1, changed_at=timezone.now())


RELEASE_FILES = ("*.py", "*.html", "*.txt", "*.mo", "*.css", "*.js")
# staticfiles/ (collectstatic output) is represented by its manifest alone.
SKIPPED_DIRS = {"node_modules", "test-output", "benchmarks", "tests", "__pycache__", "staticfiles", "var"}


@lru_cache(maxsize=1)
def release() -> str:
    """A fingerprint of the code, templates, translations and static manifest (plus the `holidays`
    data): the same on every app server running the same release, new after a deploy, so no server
    serves a page rendered by older code."""
    if settings.FRESHNESS_RELEASE:
        return settings.FRESHNESS_RELEASE
    digest = hashlib.sha256(holidays.__version__.encode())
    root = Path(settings.BASE_DIR)
    paths = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS and not name.startswith(".")]
        paths.extend(Path(folder, name) for name in files if any(fnmatch(name, p) for p in RELEASE_FILES))
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        paths.append(manifest)
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
