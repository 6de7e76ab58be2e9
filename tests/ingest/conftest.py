"""Ingest fixtures: the seed pages (beside the checkout, or $SEEDS_DIR) and the invented corpus."""
from pathlib import Path

import pytest

from ingest.evaluation import seeds_dir

PAGES = Path(__file__).resolve().parent / "pages"


@pytest.fixture
def seed_pages() -> Path:
    directory = seeds_dir()
    if not directory.is_dir():
        pytest.skip(f"no seed pages at {directory} (set SEEDS_DIR)")
    return directory


def seed_text(directory: Path, prefix: str) -> str:
    return next(directory.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def staff(db, django_user_model):
    """make("alice", "Agency editors", agencies=(gansu,)) → a staff user in that group."""
    from django.contrib.auth.models import Group

    from agencies.models import AgencyAssignment
    from agencies.permissions import groups_sync

    groups_sync()

    def make(username: str, group: str, agencies=()):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", "x" * 12, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        for agency in agencies:
            AgencyAssignment.objects.create(user=user, agency=agency)
        return user

    return make


@pytest.fixture
def editor(staff):
    return staff("bob", "Editors")
