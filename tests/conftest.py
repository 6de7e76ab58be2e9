"""Shared fixtures: the real seed data, personas, and a clean cache for every test."""
import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed(db):
    """The five real bureaus from fixtures/ (loaded through the same command as `make run`)."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def anon_client(client):
    return client
