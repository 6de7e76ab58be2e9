import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def seed_once(django_db_setup, django_db_blocker):
    """The five seed bureaus loaded once for a module of read-only tests, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seed", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seed_once, db):
    """Per test: the module's seed, inside the test's own transaction."""


from tests.staff.conftest import editor_client, make_staff  # noqa: E402,F401  (staff personas)
