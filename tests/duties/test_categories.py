"""A duty carries every category its text speaks of: model, import/export, API and compare."""
import re

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from agencies.services import dataset_read, export_dataset, import_dataset
from duties.models import Duty, DutyCategory
from tests.factories import AgencyFactory, DutyCategoryFactory, DutyFactory

API = "/api/v1"


@pytest.fixture
def two_categories(db):
    return DutyCategoryFactory(slug="cat-a", name="Category A", position=1), DutyCategoryFactory(
        slug="cat-b", name="Category B", position=2
    )


def duties_csv(*rows: str, header: str = "agency,parent,position,label,text,categories") -> bytes:
    return "\n".join([header, *rows]).encode()


def test_a_category_in_use_cannot_be_deleted_but_an_unused_one_can(two_categories):
    used, unused = two_categories
    duty = DutyFactory(categories=[used])
    with pytest.raises(ProtectedError), transaction.atomic():
        used.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        DutyCategory.objects.filter(pk=used.pk).delete()
    unused.delete()
    assert list(duty.categories.all()) == [used]


def test_import_reads_several_slugs_in_one_cell_and_export_writes_them_back(two_categories):
    agency = AgencyFactory()
    data = duties_csv(f'{agency.slug},,1,(1),Plans and enterprises.,"cat-a, cat-b"', f"{agency.slug},,2,(2),Other.,")
    report = import_dataset(resource_name="duties", dataset=dataset_read(data=data, file_format="csv"))
    assert report.errors == [] and report.new == 2
    first, second = Duty.objects.filter(agency=agency).order_by("position")
    assert [c.slug for c in first.categories.all()] == ["cat-a", "cat-b"]
    assert list(second.categories.all()) == []  # not categorised yet: allowed, and said so on compare
    exported = export_dataset(resource_name="duties", file_format="csv").decode("utf-8-sig")
    assert f'{agency.slug},,1,(1),Plans and enterprises.,"cat-a, cat-b"' in exported


def test_changing_only_the_categories_is_an_update_not_unchanged(two_categories):
    cat_a, cat_b = two_categories
    duty = DutyFactory(categories=[cat_a], position=1, label="(1)", text="Text.")
    data = duties_csv(f"{duty.agency.slug},,1,(1),Text.,cat-a;cat-b")
    report = import_dataset(resource_name="duties", dataset=dataset_read(data=data, file_format="csv"))
    assert (report.updated, report.unchanged, report.errors) == (1, 0, [])
    assert [c.slug for c in duty.categories.all()] == ["cat-a", "cat-b"]
    again = import_dataset(resource_name="duties", dataset=dataset_read(data=data, file_format="csv"))
    assert (again.updated, again.unchanged) == (0, 1)


def test_an_unknown_slug_is_an_error_naming_row_and_column_and_nothing_is_written(two_categories):
    agency = AgencyFactory()
    data = duties_csv(f"{agency.slug},,1,(1),Fine.,cat-a", f'{agency.slug},,2,(2),Typo.,"cat-a, cat-zz"')
    report = import_dataset(resource_name="duties", dataset=dataset_read(data=data, file_format="csv"))
    assert report.errors == ["row 2, categories: 'cat-zz' is not the slug of any duty category."]
    assert not Duty.objects.filter(agency=agency).exists()


def test_files_with_the_former_single_category_column_still_import(two_categories):
    agency = AgencyFactory()
    data = duties_csv(f"{agency.slug},,1,(1),Old file.,cat-b", header="agency,parent,position,label,text,category")
    report = import_dataset(resource_name="duties", dataset=dataset_read(data=data, file_format="csv"))
    assert report.errors == []
    assert [c.slug for c in Duty.objects.get(agency=agency).categories.all()] == ["cat-b"]


def test_api_lists_every_category_keeps_the_first_as_category_and_filters_by_any(two_categories, client):
    cat_a, cat_b = two_categories
    duty = DutyFactory(categories=[cat_b, cat_a])
    body = client.get(f"{API}/duties/", {"category": "cat-b"}).json()
    assert [item["text"] for item in body["results"]] == [duty.text]
    item = body["results"][0]
    assert [c["slug"] for c in item["categories"]] == ["cat-a", "cat-b"]  # vocabulary order
    assert (item["category"]["slug"], item["category"]["name"]) == ("cat-a", "Category A")
    profile = client.get(f"{API}/agencies/{duty.agency.slug}/").json()
    assert [c["slug"] for c in profile["duties"][0]["categories"]] == ["cat-a", "cat-b"]
    found = client.get(f"{API}/agencies/", {"category": "cat-b"}).json()["results"]
    assert [agency["slug"] for agency in found] == [duty.agency.slug]


def test_api_category_is_null_for_a_duty_not_yet_categorised(db, client):
    DutyFactory(categories=[])
    item = client.get(f"{API}/duties/").json()["results"][0]
    assert item["categories"] == [] and item["category"] is None


def compare_cell(body: str, category: str, agency_slug: str) -> str:
    header = re.search(r"<thead>(.*?)</thead>", body, re.S).group(1)
    column = re.findall(r'href="/agencies/([\w-]+)/"', header).index(agency_slug)
    row = re.search(rf'<tr><th scope="row" lang="en">{category}</th>(.*?)</tr>', body, re.S).group(1)
    return re.findall(r"<td>(.*?)</td>", row, re.S)[column]


def test_compare_counts_items_not_sub_items_and_tells_none_from_not_categorised(two_categories, client):
    cat_a, cat_b = two_categories
    counted = AgencyFactory(name="Counted Bureau")
    item = DutyFactory(agency=counted, position=1, categories=[cat_a])
    for position in (1, 2):
        DutyFactory(agency=counted, parent=item, position=position, categories=[cat_a, cat_b])
    pending = AgencyFactory(name="Pending Bureau")
    DutyFactory(agency=pending, position=1, categories=[])
    silent = AgencyFactory(name="Silent Bureau")  # publishes no duties
    body = client.get(reverse("site:compare")).content.decode()
    assert "1 duty" in compare_cell(body, "Category A", counted.slug)  # one item, however many sub-items
    assert "1 duty" in compare_cell(body, "Category B", counted.slug)  # carried by its sub-items
    assert "not categorised" in compare_cell(body, "Category A", pending.slug)
    assert "no duties published" in compare_cell(body, "Category A", silent.slug)
    cell_b = compare_cell(body, "Category B", counted.slug)
    assert re.search(rf'href="/agencies/{counted.slug}/#duty-{item.pk}"', cell_b)  # the item, not a sub-item


def test_seed_compare_no_longer_says_none_for_enterprise_innovation_where_the_text_speaks_of_it(seed, client):
    body = client.get(reverse("site:compare")).content.decode()
    for slug in ("gansu-department-of-science-and-technology", "huaihua-science-and-technology-bureau",
                 "guiyang-bureau-of-science-and-technology"):
        assert "1 duty" in compare_cell(body, "Enterprise innovation", slug)
