"""Conditional GET and the shared response cache for the API, from the content version.

DRF has no ETag support (see PITFALLS.md). Every answer is a function of the content version (moved
by database triggers on every write, see `freshness/`), the request's path, parameters and media
type, and — for answers about "now" — the minute. So the ETag is derived from those alone: a 304
costs one primary-key read, and a 200 another request already rendered is served from the cache
(Redis, or a cache every worker shares) without touching the tables. Throttling still runs first."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from contextlib import ExitStack

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from freshness import version as content_version
from freshness.memo import store_answer, stored_answer
from freshness.pages import answer_key, minute_of

API_VERSION = "v1"
MAX_AGE = 60  # seconds a client or proxy may reuse an answer without asking again


def gzipped(body: bytes) -> bytes | None:
    """The body gzipped once for every request that will be answered from the store (portal.compression
    sends it to clients that accept gzip): at zlib's default level, not the per-response level 1, since
    it is paid once. No padding: an API answer holds no secret. None where it would not be smaller."""
    if len(body) < 200:
        return None
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    return compressed if len(compressed) < len(body) else None


def make_etag(request, *parts: object, weak: bool = False) -> str:
    """An ETag over the parts, the request's path and parameters, and the media type.

    Weak when equal parts mean equivalent, not byte-identical, bodies."""
    media_type = getattr(request, "accepted_media_type", "") or ""
    params = sorted((key, sorted(values)) for key, values in request.GET.lists())
    text = repr((API_VERSION, request.path, params, media_type, parts))
    etag = quote_etag(hashlib.sha256(text.encode()).hexdigest()[:40])
    return f"W/{etag}" if weak else etag


class ConditionalGetMixin:
    """For API views. A handler starts with `if (response := self.cached()): return response`, which
    answers 304 or the stored body; otherwise it computes the answer, which `finalize_response`
    stores. Every 200/304 carries ETag, Last-Modified and a public, short Cache-Control."""

    cache_validators: tuple[str, int | None] | None = None
    _store_key: str | None = None
    _pins: ExitStack | None = None

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as self._pins:
            return super().dispatch(request, *args, **kwargs)

    def cached(
        self, *, clock: bool = False, last_modified: dt.datetime | None = None,
        version: content_version.Version | None = None,
    ) -> HttpResponseBase | None:
        """`clock`: the answer changes with the minute (open_now). `last_modified`: a later moment the
        answer also depends on (e.g. the installed holiday data)."""
        request = self.request
        now = timezone.now()
        version = version or content_version.current()
        minute = minute_of(now) if clock else None
        etag = make_etag(request, version.key, minute)
        stamps = [version.last_modified(now)]
        if stamps[0] is not None:
            stamps += [int(minute.timestamp()) if minute else None, last_modified and int(last_modified.timestamp())]
        self.cache_validators = (etag, max(filter(None, stamps), default=None))
        response = get_conditional_response(request, etag=etag, last_modified=self.cache_validators[1])
        if response is not None:
            return response
        if settings.FRESHNESS_CACHE_RESPONSES:  # off: every answer computed, nothing stored
            key = f"api:{answer_key(request, etag, getattr(request, 'accepted_media_type', ''))}"
            if (entry := stored_answer(key)) is not None:
                content_type, compressed, body = entry
                response = HttpResponse(body, content_type=content_type)
                response.gzipped = compressed
                return response
            self._store_key = key
            self._store_timeout = 2 * MAX_AGE if clock else settings.FRESHNESS_TIMEOUT
        if self._pins is not None:
            # What the answer remembers on its way (freshness.memo.remember) is keyed on the version its
            # ETag holds: one read of the row per answer, as for pages (freshness.pages.cached_page).
            self._pins.enter_context(content_version.pinned(version))
        return None

    def not_modified(
        self, *parts: object, last_modified: dt.datetime | None = None, weak: bool = False
    ) -> HttpResponseBase | None:
        """For answers computed per request (the status "now"): validators from the answer itself."""
        etag = make_etag(self.request, *parts, weak=weak)
        timestamp = int(last_modified.timestamp()) if last_modified else None
        self.cache_validators = (etag, timestamp)
        return get_conditional_response(self.request, etag=etag, last_modified=timestamp)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.cache_validators and response.status_code in (200, 304):
            etag, last_modified = self.cache_validators
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            if self._store_key and response.status_code == 200 and request.method == "GET" and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                response.gzipped = gzipped(response.content)
                store_answer(self._store_key, (response["Content-Type"], response.gzipped, response.content),
                             self._store_timeout)
        return response
