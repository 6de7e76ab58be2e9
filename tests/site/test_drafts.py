"""A draft is never named on a public surface, also not through a published agency it supervises."""
import pytest

from agencies.models import Agency
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_published_child_of_a_draft_does_not_name_or_link_it(client):
    draft = AgencyFactory(name="Secret Draft Bureau", name_zh="保密草稿局", slug="secret-draft",
                          status=Agency.Status.DRAFT)
    child = AgencyFactory(parent=draft, region=draft.region, parent_source="A page that says so")
    page = client.get(child.get_absolute_url()).content.decode()
    assert child.name in page
    for leak in ("Secret Draft Bureau", "保密草稿局", "secret-draft", "parentOrganization"):
        assert leak not in page
    detail = client.get(f"/api/v1/agencies/{child.slug}/").json()
    assert detail["parent"] is None


def test_published_child_of_a_published_parent_names_it(client):
    parent = AgencyFactory(name="Open Provincial Department")
    child = AgencyFactory(parent=parent, region=parent.region, parent_source="A page that says so")
    page = client.get(child.get_absolute_url()).content.decode()
    assert "Supervised by" in page and parent.get_absolute_url() in page
    assert '"parentOrganization"' in page and "Open Provincial Department" in page
