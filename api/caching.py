"""Conditional GET for the API: ETag and Last-Modified from a cheap fingerprint, 304 before serializing.

DRF has no ETag support (see PITFALLS.md). A view computes a fingerprint of what it is about to
serialize (an aggregate over `updated_at` and a count, or the few rows of a small table), calls
`not_modified()`, and only serializes when the client's copy is stale."""
from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import Subquery
from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

API_VERSION = "v1"
MAX_AGE = 60  # seconds: hours and duties change rarely, but staff corrections should show within a minute


def make_etag(request, *parts: object, weak: bool = False) -> str:
    """An ETag over the data fingerprint, the request's path and parameters, and the media type.

    Weak when equal fingerprints mean equivalent, not byte-identical, bodies."""
    media_type = getattr(request, "accepted_media_type", "") or ""
    params = sorted((key, sorted(values)) for key, values in request.GET.lists())
    text = repr((API_VERSION, request.path, params, media_type, parts))
    etag = quote_etag(hashlib.sha256(text.encode()).hexdigest()[:40])
    return f"W/{etag}" if weak else etag


def latest_edit(model, **match) -> Subquery:
    """When a row of `model` (matching `match`) was last edited, as its history records it. Imports
    write rows in bulk (with history) without saving the agency, so `updated_at` alone misses them."""
    return Subquery(model.history.filter(**match).order_by("-history_date").values("history_date")[:1])


class ConditionalGetMixin:
    """For API views: `not_modified()` answers 304 early; every 200/304 carries the validators and a
    public, short Cache-Control."""

    cache_validators: tuple[str, dt.datetime | None] | None = None

    def not_modified(
        self, *parts: object, last_modified: dt.datetime | None = None, weak: bool = False
    ) -> HttpResponseBase | None:
        etag = make_etag(self.request, *parts, weak=weak)
        self.cache_validators = (etag, last_modified)
        timestamp = int(last_modified.timestamp()) if last_modified else None
        return get_conditional_response(self.request, etag=etag, last_modified=timestamp)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.cache_validators and response.status_code in (200, 304):
            etag, last_modified = self.cache_validators
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = http_date(last_modified.timestamp())
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response
