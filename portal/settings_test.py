"""Test settings: the base settings plus a fast hasher. The database still comes from DATABASE_URL."""
import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("CACHE_KEY_PREFIX", f"portal-test-{os.getpid()}")

from portal.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Serve static files straight from the finders (no collectstatic before tests; live_server gets CSS).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Without Redis, each test process keeps its cache in memory (the two-server test needs Redis).
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
