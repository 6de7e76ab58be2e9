"""Parents never go in a circle (regions and supervising agencies), and a walk up is always bounded."""
import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency, Region
from agencies.services import dataset_read, import_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhejiang(db):
    province = Region.objects.create(code="330000", name="Zhejiang", level=Region.Level.PROVINCE)
    hangzhou = Region.objects.create(code="330100", name="Hangzhou", level=Region.Level.PREFECTURE, parent=province)
    wenzhou = Region.objects.create(code="330300", name="Wenzhou", level=Region.Level.PREFECTURE, parent=province)
    return province, hangzhou, wenzhou


def test_region_parent_circle_is_refused_by_full_clean(zhejiang):
    _province, hangzhou, wenzhou = zhejiang
    wenzhou.parent = hangzhou
    with pytest.raises(ValidationError, match="parent region must be above a prefecture"):
        wenzhou.full_clean()
    county = Region.objects.create(code="330102", name="Shangcheng", level=Region.Level.COUNTY, parent=hangzhou)
    hangzhou.parent, hangzhou.level = county, Region.Level.COUNTY
    with pytest.raises(ValidationError):
        hangzhou.full_clean()


def test_region_parent_circle_is_refused_in_an_import(zhejiang):
    text = "code,name,name_zh,level,parent\n330100,Hangzhou,,prefecture,330300\n330300,Wenzhou,,prefecture,330100\n"
    report = import_dataset(resource_name="regions", dataset=dataset_read(data=text.encode(), file_format="csv"))
    assert any("row 1, parent: The parent region must be above" in error for error in report.errors)
    assert Region.objects.get(code="330100").parent.code == "330000"


def test_region_circle_written_behind_validations_back_cannot_hang_a_walk(zhejiang, client):
    _province, hangzhou, wenzhou = zhejiang
    Region.objects.filter(pk=hangzhou.pk).update(parent=wenzhou)
    Region.objects.filter(pk=wenzhou.pk).update(parent=hangzhou)
    chain = Region.objects.get(pk=hangzhou.pk).ancestors()
    assert len(chain) <= Region.MAX_DEPTH + 1
    assert client.get("/regions/330100/").status_code == 200


def test_supervision_circle_is_refused(zhejiang):
    _province, hangzhou, _wenzhou = zhejiang
    top = Agency.objects.create(slug="top", name="Top", level=Agency.Level.PROVINCIAL_DEPARTMENT, region=hangzhou)
    below = Agency.objects.create(slug="below", name="Below", level=Agency.Level.MUNICIPAL_BUREAU, region=hangzhou,
                                  parent=top)
    top.parent = below
    with pytest.raises(ValidationError, match="supervision would go in a circle"):
        top.full_clean()
