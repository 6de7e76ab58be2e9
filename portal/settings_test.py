"""Test settings: the base settings plus a fast hasher. The database still comes from DATABASE_URL."""
import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("CACHE_KEY_PREFIX", f"portal-test-{os.getpid()}")


def _redis_database_per_worker() -> None:
    """`make test` runs pytest-xdist workers (one per core); a test's cache.clear() empties its whole Redis
    database, so worker gwN takes database base+N. Once per run: the app servers a test starts inherit
    the URL already moved (and the marker), not the worker's number to add again."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("REDIS_URL", "")
    if not (worker.startswith("gw") and url) or os.environ.get("PORTAL_TEST_REDIS_PER_WORKER"):
        return
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    os.environ["REDIS_URL"] = parts._replace(path=f"/{database}").geturl()
    os.environ["PORTAL_TEST_REDIS_PER_WORKER"] = "1"


_redis_database_per_worker()

from portal.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files straight from the finders (no collectstatic before tests; live_server gets CSS).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Without Redis, each test process keeps its cache in memory (the two-server test needs Redis).
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
