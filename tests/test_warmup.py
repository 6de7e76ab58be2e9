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
