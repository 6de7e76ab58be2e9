"""Anonymous pages from the shared cache, keyed on the content version, so never stale.

A page is rendered once per content version, language and address (and, when it shows the clock —
"Open now · closes 12:00", the local time — once per minute, or once until the moment its view says
it next changes, with the time filled in per request: `live`), then served from the cache (Redis, or a
cache every worker shares, with each process's own copy in front: `freshness.memo.stored_answer`).
Weak ETag and Last-Modified come from the version: a 304 costs one primary-key read. Signed-in staff
and visitors with a pending message always get a fresh render.

Every page carries a CSRF token (the language switch is a form), which is per visitor: it is rendered
as a placeholder, stored that way, and swapped for the visitor's own token on the way out."""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.translation import get_language

from freshness import version as content_version
from freshness.memo import store_answer, stored_answer

CSRF_PLACEHOLDER = "freshness-csrf-placeholder-8d1b2f"
CLOCK_TIMEOUT = 120  # seconds: a page that shows the clock is keyed on the minute


def cacheable_csrf(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered for the cache, `{% csrf_token %}` writes the placeholder."""
    if rendering_for_cache(request):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def is_anonymous_read(request: HttpRequest) -> bool:
    """Cookies are enough to tell: no session (staff) and no message waiting to be shown."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def minute_of(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


def answer_key(request: HttpRequest, *parts: object) -> str:
    """The same answer for the same content, code, language, address (host and scheme: pages carry
    absolute links) and parts."""
    text = repr((request.scheme, request.get_host(), request.get_full_path(), get_language(), parts))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _swap_csrf(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    placeholder = CSRF_PLACEHOLDER.encode()
    if not response.streaming and placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())
    return response


def rendering_for_cache(request: HttpRequest) -> bool:
    """Whether the view is rendering an anonymous page for the cache (placeholders where the visitor or
    the clock goes), rather than a page for one signed-in visitor."""
    return getattr(request, "_freshness_render", False)


#: what a `live` function returns: the text for each placeholder, for this request's moment
Live = Callable[[object, dt.datetime], dict[str, str]]


def cached_page(*, clock: bool | Callable[[HttpRequest], bool] = False, live: Live | bool = False):
    """Serve a view's anonymous 200s from the cache. `clock`: the page shows something that changes
    with time (True, or a function of the request, e.g. "only with the open_now filter"); it is stored
    per minute.

    `live`, for a page that shows the time in a few places and otherwise changes only at moments its
    view can tell (a bureau opens, closes, or its midnight falls): rendering for the cache, the view
    writes placeholders where the time goes and sets `response.live_state` (what `live` needs, small
    and picklable) and `response.live_until` (the moment the rest of the page changes). The page is
    stored until that moment, and `live(state, now)` fills the placeholders per request. Its ETag and
    Last-Modified still move with the minute. `live=True`: the same with nothing to fill (a list of
    bureaus with their statuses); a view that leaves `live_until` unset says nothing on the page
    changes with time."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not is_anonymous_read(request):
                return view(request, *args, **kwargs)
            now = timezone.now()
            version = content_version.current()
            minute = minute_of(now) if (clock(request) if callable(clock) else clock) else None
            key = answer_key(request, version.key, minute)
            etag = f'W/"{key}"'
            last_modified = version.last_modified(now)
            if minute is not None and last_modified is not None:
                last_modified = max(last_modified, int(minute.timestamp()))
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if response is None:
                store = f"page:{answer_key(request, version.key, 'live')}" if live else f"page:{key}"
                with content_version.pinned(version):
                    response = _stored_or_rendered(request, view, args, kwargs, store, minute is not None, live, now)
            if response.status_code in (200, 304):
                response["ETag"] = etag
                if last_modified is not None:
                    response["Last-Modified"] = http_date(last_modified)
                # The body carries the visitor's CSRF token: browsers revalidate, shared caches keep out.
                patch_cache_control(response, private=True, no_cache=True)
            return response

        return wrapper

    return decorator


def _fill(request: HttpRequest, response: HttpResponse, live: Live | bool, state: object, now: dt.datetime):
    if callable(live) and not response.streaming:
        content = response.content
        for placeholder, text in live(state, now).items():
            content = content.replace(placeholder.encode(), escape(text).encode())
        response.content = content
    return _swap_csrf(request, response)


def _stored_or_rendered(
    request, view, args, kwargs, key: str, clock: bool, live: Live | bool, now: dt.datetime
) -> HttpResponseBase:
    def current(entry: tuple) -> bool:
        until = entry[2][1] if entry[2] else None
        return until is None or now < until

    entry = stored_answer(key, current) if settings.FRESHNESS_CACHE_RESPONSES else None
    if entry is not None:
        status, headers, extra, body = entry
        response = HttpResponse(body, status=status)
        for header, value in headers:
            response[header] = value
        return _fill(request, response, live, extra and extra[0], now)
    request._freshness_render = True
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response = response.render()
    finally:
        request._freshness_render = False
    extra = (getattr(response, "live_state", None), getattr(response, "live_until", None)) if live else None
    if (
        settings.FRESHNESS_CACHE_RESPONSES and response.status_code == 200 and not response.streaming
        and not response.cookies
    ):
        timeout = CLOCK_TIMEOUT if clock and not live else settings.FRESHNESS_TIMEOUT
        if extra and extra[1] is not None:
            timeout = max(1, min(timeout, math.ceil((extra[1] - now).total_seconds())))
        # The view's own headers (Content-Type, the sitemap's X-Robots-Tag…); middleware adds the rest.
        headers = [(name, value) for name, value in response.items() if name.lower() != "content-length"]
        store_answer(key, (response.status_code, headers, extra, response.content), timeout)
    return _fill(request, response, live, extra and extra[0], now)
