"""WSGI entry point (gunicorn portal.wsgi). Production fails fast here on a missing secret."""
import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from portal.env import envbool

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (settings are configured by the line above)

if not settings.DEBUG and settings.SECRET_KEY == settings.SECRET_KEY_PLACEHOLDER:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")

if envbool("PORTAL_WARM_UP", True):
    from portal.warmup import warm_up

    warm_up()  # before the worker takes its first request (see portal/warmup.py)
