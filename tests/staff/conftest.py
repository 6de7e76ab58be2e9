"""Staff personas, one per group (healthchecks' Alice/Bob/Charlie): each a logged-in admin client."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from agencies.models import Agency, AgencyAssignment
from agencies.permissions import ADMINISTRATORS, AGENCY_EDITORS, EDITORS, VIEWERS, groups_sync

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_staff(db, django_user_model):
    groups_sync()  # a transactional test before this one may have flushed the migration's groups

    def make(username: str, group: str | None, agencies: tuple[Agency, ...] = ()):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        for agency in agencies:
            AgencyAssignment.objects.create(user=user, agency=agency)
        return user

    return make


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.user = user
    return client


@pytest.fixture
def own_agency(seed):
    """The agency the agency editor is assigned to (Gansu: contacts, hours, duties and other names)."""
    return Agency.objects.get(slug="gansu-department-of-science-and-technology")


@pytest.fixture
def other_agency(seed):
    return Agency.objects.get(slug="zhejiang-department-of-science-and-technology")


@pytest.fixture
def viewer_client(make_staff):
    return _client_for(make_staff("vera", VIEWERS))


@pytest.fixture
def agency_editor_client(make_staff, own_agency):
    return _client_for(make_staff("alice", AGENCY_EDITORS, agencies=(own_agency,)))


@pytest.fixture
def editor_client(make_staff):
    return _client_for(make_staff("bob", EDITORS))


@pytest.fixture
def administrator_client(make_staff):
    return _client_for(make_staff("charlie", ADMINISTRATORS))
