"""The worker warm-up (portal/warmup.py): `warm_up` runs before gunicorn forks and must not open a
database connection (a connection made before a fork would be shared by every worker); `warm_up_worker`
runs in each worker and must leave no trace (no stored page, no session)."""
import re

import pytest
from django.template import engines

from portal.warmup import WORKER_PATHS, warm_up, warm_up_worker


def test_warm_up_compiles_the_public_templates_without_touching_the_database():
    # No `db` fixture: pytest-django fails any query made here.
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    warm_up()
    compiled = set(loader.get_template_cache)
    assert {"base.html", "portal/home.html", "portal/agency_detail.html", "components/agency_card.html"} <= compiled


def test_warm_up_fills_every_namespace_so_a_first_reverse_builds_nothing(monkeypatch):
    from django.urls import clear_url_caches, reverse
    from django.urls.resolvers import URLResolver
    from django.utils import translation

    clear_url_caches()  # as in a new worker
    warm_up()
    built = []
    original = URLResolver._populate
    monkeypatch.setattr(URLResolver, "_populate", lambda self: built.append(self) or original(self))
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert reverse("admin:index") and reverse("api:agency-list") and reverse("site:home")
    assert built == []


@pytest.mark.django_db
def test_a_new_worker_renders_the_home_page_for_nobody_and_stores_nothing(seed, client, django_assert_num_queries):
    from django.contrib.sessions.models import Session
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from django.test.signals import template_rendered

    rendered = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    # A worker's request closes its old database connections first, as any request does; here that
    # would be the test's own connection (the test client keeps it the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        warm_up_worker(get_wsgi_application())
        assert rendered.count("portal/home.html") == 2  # / and /zh-hans/
        assert not Session.objects.exists()
        rendered.clear()
        first = client.get("/")  # the first visitor's page is rendered for them, not taken from the warm-up
        assert first.status_code == 200 and "portal/home.html" in rendered
    finally:
        template_rendered.disconnect(record)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    with django_assert_num_queries(1):  # and stored for the next one, as any page (the content version)
        again = client.get("/")
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", again.content) == token.sub(b"", first.content)


def test_a_worker_that_cannot_warm_up_still_starts(caplog):
    def broken(environ, start_response):
        raise RuntimeError("database is down")

    warm_up_worker(broken)  # no exception: the worker goes on to serve (and report) its requests
    assert caplog.text.count("Worker warm-up") == len(WORKER_PATHS)
    assert "database is down" in caplog.text


def test_gunicorn_preloads_the_app_and_warms_each_worker_up(monkeypatch):
    import runpy

    from django.conf import settings

    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["preload_app"] is True
    warmed = []
    monkeypatch.setattr("portal.warmup.warm_up_worker", warmed.append)
    worker = type("Worker", (), {"wsgi": object()})()
    config["post_worker_init"](worker)
    assert warmed == [worker.wsgi]
    monkeypatch.setenv("PORTAL_WARM_UP", "false")
    config["post_worker_init"](worker)
    assert warmed == [worker.wsgi]


def test_gunicorn_moves_the_warm_app_out_of_the_collectors_way(monkeypatch):
    """A full collection over a warm app's objects took 132-145 ms: the slowest request of a worker."""
    import gc
    import runpy

    from django.conf import settings

    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    monkeypatch.setattr("portal.warmup.warm_up_worker", lambda application: None)
    try:
        config["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 10_000
        gc.unfreeze()
        config["post_worker_init"](type("Worker", (), {"wsgi": None})())
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_gunicorn_starts_two_workers_per_core_unless_told(monkeypatch):
    """One per core leaves cores idle while each worker waits for its client to close the connection."""
    import runpy

    from django.conf import settings

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    assert runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["workers"] == 6
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["workers"] == 5
