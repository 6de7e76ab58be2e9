"""The worker warm-up (portal/warmup.py) runs before gunicorn forks or listens: it must not open a
database connection (a connection made before a fork would be shared by every worker)."""
from django.template import engines

from portal.warmup import warm_up


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
