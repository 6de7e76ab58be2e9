"""`/healthz` for load balancers and orchestrators: is this app server able to answer?"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from freshness import version as content_version


def _database() -> str:
    content_version.current()  # a real read of a migrated table, not just a connection
    return "ok"


def _cache() -> str:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the shared cache (Redis when REDIS_URL is set) both answer, else 503
    naming which failed (the kind of error only: no addresses or credentials)."""
    checks = {"database": _database, "redis" if settings.REDIS_URL else "cache": _cache}
    report, healthy = {}, True
    for name, check in checks.items():
        try:
            report[name] = check()
        except Exception as error:  # any failure is "unhealthy", reported by its kind
            report[name] = f"error: {type(error).__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503)
