"""Duties, duty categories, regions and the national calendar."""
import datetime as dt

import pytest

from agencies.models import PublicHoliday
from tests.factories import PublicHolidayFactory

API = "/api/v1"
GANSU = "gansu-department-of-science-and-technology"
WENZHOU = "wenzhou-science-and-technology-bureau"


def test_duty_item_names_its_agency_category_and_parent(seed, client):
    results = client.get(f"{API}/duties/", {"agency": WENZHOU, "page_size": 100}).json()["results"]
    sub_item = next(duty for duty in results if duty["parent"])
    parent = next(duty for duty in results if duty["position"] == sub_item["parent"]["position"] and not duty["parent"])
    assert sub_item["label"] == "(i)"
    assert sub_item["parent"] == {"label": parent["label"], "position": parent["position"]}
    assert sub_item["agency"] == {
        "slug": WENZHOU,
        "name": "Wenzhou Municipal Science and Technology Bureau",
        "name_zh": "温州市科学技术局",
        "url": f"http://testserver{API}/agencies/{WENZHOU}/",
    }
    assert set(sub_item["category"]) == {"slug", "name", "name_zh"}


def test_duties_come_in_published_order_with_sub_items_after_their_item(seed, client):
    results = client.get(f"{API}/duties/", {"agency": WENZHOU, "page_size": 100}).json()["results"]
    keys = [(duty["parent"]["position"], 1, duty["position"]) if duty["parent"] else (duty["position"], 0, 0)
            for duty in results]
    assert keys == sorted(keys)
    assert len(results) == 21


@pytest.mark.parametrize(
    ("params", "agencies"),
    [
        ({"agency": GANSU}, {GANSU}),
        ({"region": "330000"}, {WENZHOU, "zhejiang-department-of-science-and-technology"}),
        ({"q": "foreign experts", "region": "620000"}, {GANSU}),
    ],
)
def test_duty_filters(seed, client, params, agencies):
    results = client.get(f"{API}/duties/", {**params, "page_size": 100}).json()["results"]
    assert results and {duty["agency"]["slug"] for duty in results} == agencies


def test_duty_category_filter(seed, client):
    results = client.get(f"{API}/duties/", {"category": "science-data", "page_size": 100}).json()["results"]
    assert results and {duty["category"]["slug"] for duty in results} == {"science-data"}


def test_categories_in_their_order(seed, client):
    body = client.get(f"{API}/categories/").json()
    assert body["count"] == 18
    assert body["results"][0] == {
        "slug": "strategy-planning",
        "name": "Strategy and planning",
        "name_zh": "战略规划与政策",
        "description": "Innovation-driven development strategy, overall plans and policies.",
        "position": 1,
    }


def test_regions_with_their_parent_code(seed, client):
    results = client.get(f"{API}/regions/", {"page_size": 100}).json()["results"]
    huaihua = {"code": "431200", "name": "Huaihua", "name_zh": "怀化市", "level": "prefecture", "parent": "430000"}
    gansu = {"code": "620000", "name": "Gansu", "name_zh": "甘肃省", "level": "province", "parent": None}
    assert huaihua in results and gansu in results


def test_holidays_merge_the_package_with_staff_entries(seed, client):
    # Staff correct the package: 2026-10-08 becomes a make-up workday; 2026-12-31 an extra holiday.
    PublicHolidayFactory(date=dt.date(2026, 10, 8), kind=PublicHoliday.Kind.WORKDAY, name="Make-up workday",
                         name_zh="调休上班")
    PublicHolidayFactory(date=dt.date(2026, 12, 31), name="Year-end closure", name_zh="年末闭馆")
    body = client.get(f"{API}/holidays/", {"year": 2026}).json()
    assert body["year"] == 2026
    by_date = {day["date"]: day for day in body["results"]}
    assert by_date["2026-10-01"] == {
        "date": "2026-10-01", "kind": "holiday", "name": "National Day", "name_zh": "国庆节", "source": "package",
    }
    assert by_date["2026-10-08"]["kind"] == "workday" and by_date["2026-10-08"]["source"] == "staff"
    assert by_date["2026-12-31"] == {
        "date": "2026-12-31", "kind": "holiday", "name": "Year-end closure", "name_zh": "年末闭馆", "source": "staff",
    }
    assert list(by_date) == sorted(by_date)


def test_staff_holiday_changes_the_status_answer(seed, client):
    url = f"{API}/agencies/{GANSU}/status/"
    assert client.get(url, {"at": "2026-12-31T10:00+08:00"}).json()["open"] is True
    PublicHolidayFactory(date=dt.date(2026, 12, 31), name="Year-end closure")
    body = client.get(url, {"at": "2026-12-31T10:00+08:00"}).json()
    assert (body["open"], body["reason"], body["detail"]) == (False, "public_holiday", "Year-end closure")


def test_holidays_default_to_this_year_in_china(seed, client):
    body = client.get(f"{API}/holidays/").json()
    assert body["year"] == dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year
