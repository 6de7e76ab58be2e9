"""What every worker would otherwise do on its first requests (measured: the first page of a fresh
process took 540 ms, the next 20-40 ms).

- `warm_up()`, when portal.wsgi is imported: import the URLconf and everything it names, compile the
  public templates, load both languages' catalogues, the search analysers and the release fingerprint.
  Nothing here touches the database, so it is safe before gunicorn forks (gunicorn.conf.py preloads
  the app) and every worker inherits the result.
- `warm_up_worker()`, in each worker after the fork and before it takes a request (gunicorn's
  `post_worker_init`): the site's home page in both languages, answered to nobody. That opens the
  worker's database connection and does what only a real request does once per process: the ORM's
  compilers, the context processors, the format modules, the regexes of the URL patterns and
  middleware (a first home page 25-31 ms, the next 11-13 ms, at 3,300 agencies on SQLite)."""
from __future__ import annotations

import logging
from functools import partial
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation

PUBLIC_TEMPLATES = ("portal", "components")


def warm_up() -> None:
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _populate(resolver)
    root = Path(settings.BASE_DIR) / "templates"
    names = ["base.html", "404.html", "500.html"] + [
        str(path.relative_to(root)) for folder in PUBLIC_TEMPLATES for path in sorted((root / folder).glob("*.html"))
    ]
    for name in names:
        try:
            get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a broken template still fails where it is used
            pass
    from django.utils import timezone

    from agencies.hours import _package_year
    from search.analysis import index_tokens, phone_forms

    this_year = timezone.now().year
    for year in (this_year - 1, this_year, this_year + 1):  # the holidays package imports every country once
        _package_year(year)

    index_tokens("science 科学 warm-up")
    phone_forms("+869318834621")

    from freshness.version import release

    release()  # reads every source file once: 5 ms of a first request otherwise


#: the pages a new worker renders for nobody: site pages only (an API request would count against the
#: anonymous rate limit of the address it came from)
WORKER_PATHS = ("/", "/zh-hans/")

logger = logging.getLogger(__name__)


def warm_up_worker(application) -> None:
    """Render WORKER_PATHS through the whole WSGI stack, as a signed-in visitor would look (a session
    cookie, of no session), so no answer is stored in the response cache and no cold page is hidden from
    the first real visitor. A failure (the database down) is logged and the worker starts anyway."""
    host = next((name.lstrip(".") for name in settings.ALLOWED_HOSTS if name not in ("*", ".")), "localhost")
    for path in WORKER_PATHS:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
            "SERVER_NAME": host, "SERVER_PORT": "443" if settings.SECURE_SSL_REDIRECT else "80",
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host, "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=worker-warm-up",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "https" if settings.SECURE_SSL_REDIRECT else "http",
            "wsgi.input": BytesIO(), "wsgi.errors": BytesIO(), "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        statuses: list[str] = []
        try:
            body = application(environ, partial(_start_response, statuses))
            try:
                for _chunk in body:
                    pass
            finally:
                if hasattr(body, "close"):
                    body.close()
        except Exception:  # noqa: BLE001 - a worker that cannot warm up still serves (and reports) requests
            logger.warning("Worker warm-up: %s failed", path, exc_info=True)
            continue
        if not statuses or not statuses[0].startswith("200"):
            logger.warning("Worker warm-up: %s answered %s", path, statuses[0] if statuses else "nothing")


def _start_response(statuses: list[str], status: str, headers, exc_info=None) -> None:
    statuses.append(status)


def _populate(resolver, prefix: str = "") -> None:
    """The per-language reverse tables of a resolver and of every namespace below it. `reverse()` of a
    namespaced name (`site:…`, `api:…`, `admin:…`) builds a resolver of its own for the namespace and
    fills its tables on first use: 40 ms in a worker's first API answer, a reverse of one name each
    here. One that needs arguments raises once the tables are filled."""
    resolver.reverse_dict  # noqa: B018 - populating the tables is the point
    for namespace, (_pattern, below) in resolver.namespace_dict.items():
        name = next((key for key in below.reverse_dict if isinstance(key, str)), None)
        if name is not None:
            try:
                reverse(f"{prefix}{namespace}:{name}")
            except NoReverseMatch:
                pass
        _populate(below, f"{prefix}{namespace}:")
