"""API fixtures."""
import datetime as dt

import pytest
from django.apps import apps

from freshness.models import ContentVersion

SEED_DATE = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)  # updated_at of every seed record


@pytest.fixture
def settled_seed(seed):
    """The seed as production holds it: loaded (history and all) well before the requests under test,
    so an edit made now is strictly later at Last-Modified's one-second precision."""
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            model.objects.update(history_date=SEED_DATE)
    # ...and the content version says so too (Last-Modified is its last change).
    ContentVersion.objects.update(changed_at=SEED_DATE)
