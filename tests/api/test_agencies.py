"""The agencies endpoints: list + filters, whole profiles, open/closed status, drafts never shown."""
import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Region, SpecialDay
from tests.factories import AgencyFactory, AgencyNameFactory, ContactFactory, SourceFactory, SpecialDayFactory

API = "/api/v1"
HUAIHUA = "huaihua-science-and-technology-bureau"
GANSU = "gansu-department-of-science-and-technology"
ZHEJIANG = "zhejiang-department-of-science-and-technology"
WENZHOU = "wenzhou-science-and-technology-bureau"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [agency["slug"] for agency in response.json()["results"]]


def test_huaihua_profile_is_pinned_whole(seed, client):
    expected = json.loads((Path(__file__).parent / "huaihua_profile.json").read_text(encoding="utf-8"))
    response = client.get(f"{API}/agencies/{HUAIHUA}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == expected


def test_list_item_has_names_region_and_both_links(seed, client):
    response = client.get(f"{API}/agencies/", {"q": "温州"})
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "slug": WENZHOU,
                "name": "Wenzhou Municipal Science and Technology Bureau",
                "name_zh": "温州市科学技术局",
                "level": "municipal_bureau",
                "region": {"code": "330300", "name": "Wenzhou", "name_zh": "温州市", "level": "prefecture"},
                "parent": None,  # its page names no supervising agency
                "url": f"http://testserver{API}/agencies/{WENZHOU}/",
                "web_url": f"http://testserver/agencies/{WENZHOU}/",
                "last_verified": None,
                "updated_at": "2026-11-22T00:00:00Z",
                "matches": [
                    {"field": "name", "label": "Name", "text": "温州市科学技术局",
                     "highlighted": "<mark>温州</mark>市科学技术局"},
                    {"field": "region", "label": "Region", "text": "温州市", "highlighted": "<mark>温州</mark>市"},
                ],
            }
        ],
        "suggestion": None,
        "corrected": False,
        "partial": False,
        "capped": False,
    }


def test_profile_links_parent_and_children_both_ways(wenzhou_under_zhejiang, client):
    wenzhou = client.get(f"{API}/agencies/{WENZHOU}/").json()
    zhejiang = client.get(f"{API}/agencies/{ZHEJIANG}/").json()
    assert wenzhou["parent"] == {
        "slug": ZHEJIANG,
        "name": "Zhejiang Provincial Department of Science and Technology",
        "name_zh": "浙江省科学技术厅",
        "url": f"http://testserver{API}/agencies/{ZHEJIANG}/",
    }
    assert [child["slug"] for child in zhejiang["children"]] == [WENZHOU]


def test_profile_contacts_keep_published_value_and_add_e164_for_phones_only(seed, client):
    contacts = client.get(f"{API}/agencies/{ZHEJIANG}/").json()["contacts"]
    assert contacts[0] == {
        "kind": "supervision", "label": "Supervision Telephone", "value": "(0571) 87056409", "e164": "+8657187056409",
    }
    assert {"kind": "email", "label": "Email", "value": "webmaster@zjinfo.gov.cn", "e164": None} in contacts


def test_profile_nests_sub_duties_under_their_item(seed, client):
    duties = client.get(f"{API}/agencies/{WENZHOU}/").json()["duties"]
    with_children = [duty for duty in duties if duty["children"]]
    assert with_children, "Wenzhou publishes sub-items"
    child = with_children[0]["children"][0]
    assert child["label"] == "(i)" and set(child) == {"label", "position", "text", "categories", "category"}
    assert all(duty["label"] != "(i)" for duty in duties)


def test_profile_lists_other_names_and_special_days(seed, client):
    gansu = Agency.objects.get(slug=GANSU)
    SpecialDayFactory(agency=gansu, date=dt.date(2026, 12, 1), kind=SpecialDay.Kind.CLOSED, reason="Office move")
    profile = client.get(f"{API}/agencies/{GANSU}/").json()
    assert [name["name"] for name in profile["other_names"]] == [
        "Gansu Provincial Foreign Experts Bureau",
        "Lanzhou-Baiyin National Independent Innovation Demonstration Zone Office",
    ]
    assert profile["special_days"] == [
        {"date": "2026-12-01", "kind": "closed", "opens": None, "closes": None,
         "reason": "Office move", "reason_zh": ""}
    ]


# --- Filters: the same AgencyFilter as the public site -------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "330000"}, [WENZHOU, ZHEJIANG]),  # a province includes its cities
        ({"region": "330300"}, [WENZHOU]),
        ({"level": "provincial_department"}, [GANSU, ZHEJIANG]),
        ({"q": "怀化"}, [HUAIHUA]),  # two Chinese characters: a substring search
        ({"q": "Lanzhou-Baiyin"}, [GANSU]),  # other names
        ({"q": "Lanzhou"}, [GANSU]),
        ({"ordering": "-name", "level": "provincial_department"}, [ZHEJIANG, GANSU]),
        ({"ordering": "region"}, [ZHEJIANG, WENZHOU, HUAIHUA, "guiyang-bureau-of-science-and-technology", GANSU]),
    ],
)
def test_list_filters(seed, client, params, expected):
    assert slugs(client.get(f"{API}/agencies/", params)) == expected


def test_parent_filter(wenzhou_under_zhejiang, client):
    assert slugs(client.get(f"{API}/agencies/", {"parent": ZHEJIANG})) == [WENZHOU]


def test_category_filter_finds_agencies_with_a_duty_in_it(seed, client):
    found = slugs(client.get(f"{API}/agencies/", {"category": "science-data"}))
    assert found and all(
        any(duty["category"]["slug"] == "science-data" for top in client.get(f"{API}/agencies/{slug}/").json()["duties"]
            for duty in [top, *top["children"]])
        for slug in found
    )


def test_open_at_uses_seasonal_hours(seed, client):
    # Monday 23 November 2026, 14:45 in China: Huaihua's winter afternoon starts 14:30, Gansu's 14:30 too;
    # agencies without published hours are never "open".
    assert slugs(client.get(f"{API}/agencies/", {"open_at": "2026-11-23T14:45:00+08:00"})) == [GANSU, HUAIHUA]
    # 14:45 on Monday 3 August: Huaihua's summer afternoon starts only at 15:00.
    assert slugs(client.get(f"{API}/agencies/", {"open_at": "2026-08-03T14:45"})) == [GANSU]
    # National Day.
    assert slugs(client.get(f"{API}/agencies/", {"open_at": "2026-10-01T10:00+08:00"})) == []


def test_modified_since_returns_only_later_changes(seed, client):
    Agency.objects.get(slug=GANSU).save()  # updated_at becomes now
    assert slugs(client.get(f"{API}/agencies/", {"modified_since": "2026-11-22T00:00:01Z"})) == [GANSU]


def test_page_size_and_next_link(seed, client):
    body = client.get(f"{API}/agencies/", {"page_size": 2, "page": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["next"] == f"http://testserver{API}/agencies/?page=3&page_size=2"
    assert body["previous"] == f"http://testserver{API}/agencies/?page_size=2"


# --- Drafts never appear ---------------------------------------------------------------------------


@pytest.fixture
def draft(seed):
    agency = AgencyFactory(
        slug="draft-bureau", name="Draft Lanzhou Bureau", status=Agency.Status.DRAFT,
        region=Region.objects.get(code="620100"), parent=Agency.objects.get(slug=GANSU), hours=True, duties=1,
    )
    return agency


def test_drafts_are_not_listed_searched_or_shown(draft, client):
    assert "draft-bureau" not in slugs(client.get(f"{API}/agencies/", {"page_size": 100}))
    # Gansu is seated in Lanzhou and its duties speak of drafting (stemmed: draft): it is found, the draft not.
    assert slugs(client.get(f"{API}/agencies/", {"q": "Draft Lanzhou"})) == [GANSU]
    assert slugs(client.get(f"{API}/agencies/", {"open_at": "2026-11-23T10:00+08:00"})) == [GANSU, HUAIHUA]
    assert client.get(f"{API}/agencies/draft-bureau/").status_code == 404
    assert client.get(f"{API}/agencies/draft-bureau/status/").status_code == 404
    assert client.get(f"{API}/agencies/{GANSU}/").json()["children"] == []
    duties = client.get(f"{API}/duties/", {"q": "Draft Lanzhou"}).json()["results"]
    assert {duty["agency"]["slug"] for duty in duties} == {GANSU}
    # A draft's slug answers exactly as a slug nobody uses: no agencies (nothing to probe).
    as_draft = client.get(f"{API}/agencies/", {"parent": "draft-bureau"})
    as_unknown = client.get(f"{API}/agencies/", {"parent": "no-such-bureau"})
    assert (as_draft.status_code, as_draft.json()["count"]) == (as_unknown.status_code, 0) == (200, 0)


def test_draft_parent_is_not_revealed(seed, client):
    hidden = AgencyFactory(slug="hidden-parent", status=Agency.Status.DRAFT)
    child = AgencyFactory(slug="visible-child", parent=hidden)
    assert client.get(f"{API}/agencies/{child.slug}/").json()["parent"] is None
    assert client.get(f"{API}/agencies/", {"q": "visible-child"}).json()["results"][0]["parent"] is None


# --- Status: the single open/closed function -------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "is_open", "reason", "next_change"),
    [
        ("2026-11-23T10:00+08:00", True, "regular", "2026-11-23T12:00:00+08:00"),
        ("2026-11-23T12:30+08:00", False, "lunch_break", "2026-11-23T14:30:00+08:00"),
        ("2026-11-23T02:00:00Z", True, "regular", "2026-11-23T12:00:00+08:00"),
        ("2026-10-01T10:00+08:00", False, "public_holiday", "2026-10-08T08:30:00+08:00"),
        ("2026-11-21T10:00+08:00", False, "weekend", "2026-11-23T08:30:00+08:00"),
    ],
)
def test_status_at_a_moment(seed, client, at, is_open, reason, next_change):
    body = client.get(f"{API}/agencies/{GANSU}/status/", {"at": at}).json()
    assert (body["open"], body["reason"], body["next_change"]) == (is_open, reason, next_change)
    assert body["timezone"] == "Asia/Shanghai"


def test_status_whole_response_on_a_holiday(seed, client):
    assert client.get(f"{API}/agencies/{GANSU}/status/", {"at": "2026-10-01T10:00+08:00"}).json() == {
        "open": False,
        "reason": "public_holiday",
        "detail": "National Day",
        "detail_zh": "国庆节",
        "season": "",
        "at": "2026-10-01T10:00:00+08:00",
        "next_change": "2026-10-08T08:30:00+08:00",
        "timezone": "Asia/Shanghai",
    }


def test_status_is_null_when_no_hours_are_published(seed, client):
    body = client.get(f"{API}/agencies/{WENZHOU}/status/").json()
    assert body["open"] is None and body["reason"] == "not_published" and body["next_change"] is None


def test_status_defaults_to_now_and_answers_in_the_agencys_zone(db, client):
    agency = AgencyFactory(timezone="Asia/Urumqi", hours=True)
    body = client.get(f"{API}/agencies/{agency.slug}/status/").json()
    assert body["timezone"] == "Asia/Urumqi"
    at = dt.datetime.fromisoformat(body["at"])
    assert at.utcoffset() == dt.timedelta(hours=6)
    assert abs(at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert dt.datetime.fromisoformat(body["next_change"]).utcoffset() == dt.timedelta(hours=6)


# --- Constant queries whatever the page size -------------------------------------------------------


@pytest.fixture
def many_agencies(db):
    region = Region.objects.create(code="330000", name="Zhejiang", level=Region.Level.PROVINCE)
    parent = AgencyFactory(region=region)
    agencies = [AgencyFactory(region=region, parent=parent, duties=3, contacts=2, hours=True) for _ in range(30)]
    for agency in agencies[:10]:
        AgencyNameFactory(agency=agency)
        SourceFactory(agency=agency)
        ContactFactory(agency=agency, kind="email", label="Email", value="office@example.org")
    return agencies


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(queries)


def test_list_runs_constant_queries_whatever_the_page_size(many_agencies, client, django_assert_max_num_queries):
    # the content version (the ETag), the count, the page's ids, then those rows with their joins
    with django_assert_max_num_queries(4):
        client.get(f"{API}/agencies/", {"page_size": 100})
    assert count_queries(client, f"{API}/agencies/", {"page_size": 2}) == count_queries(
        client, f"{API}/agencies/", {"page_size": 31}
    )
    # + the count, the region lookup of the filter, the synonyms (cached after the first search), the search's
    # "any full match?" and, to say why each agency matched, its other names, contacts and duties; the
    # index's window (scored once per content version, which is read for it)
    with django_assert_max_num_queries(12):
        client.get(f"{API}/agencies/", {"page_size": 100, "region": "330000", "q": "Bureau"})


def test_open_at_list_runs_constant_queries(many_agencies, client, django_assert_max_num_queries):
    params = {"open_at": "2026-11-23T10:00+08:00", "page_size": 100}
    # version, calendar, version + distinct rule sets (remembered per version), special days, count, page
    with django_assert_max_num_queries(8):
        body = client.get(f"{API}/agencies/", params).json()
    assert body["count"] == 30  # the 30 with hours; their parent publishes none
    AgencyFactory.create_batch(20, hours=True)
    assert count_queries(client, f"{API}/agencies/", params) <= 8


def test_profile_runs_constant_queries_whatever_its_size(many_agencies, client, django_assert_max_num_queries):
    small = AgencyFactory(duties=1)  # one row in each relation the profile prefetches through
    big = many_agencies[0]
    parent_slug = big.parent.slug
    with django_assert_max_num_queries(10):
        response = client.get(f"{API}/agencies/{parent_slug}/")
    assert len(response.json()["children"]) == 30
    small_queries = count_queries(client, f"{API}/agencies/{small.slug}/")
    assert small_queries == count_queries(client, f"{API}/agencies/{big.slug}/")


def test_status_runs_constant_queries(many_agencies, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # content version, agency + hours + special days, calendar
        client.get(f"{API}/agencies/{many_agencies[0].slug}/status/", {"at": "2026-11-23T10:00+08:00"})


def test_duties_list_runs_constant_queries(many_agencies, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # content version, count, page, the page's categories
        body = client.get(f"{API}/duties/", {"page_size": 90}).json()
    assert len(body["results"]) == 90


@pytest.mark.django_db
def test_every_published_agency_is_counted_from_the_tallies_and_a_filtered_list_by_its_rows(seed, client):
    """No filter: the list's count is the per-city tallies' sum (no COUNT over the agencies table), and
    follows a write at once; with a filter the rows are counted. The home page says the same number."""
    def counts_agencies(queries) -> bool:
        return any("COUNT(" in q["sql"].upper() and "agencies_agency" in q["sql"] for q in queries)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/agencies/").json()["count"] == 5
    assert not counts_agencies(queries.captured_queries)
    Agency.objects.filter(slug="wenzhou-science-and-technology-bureau").update(status=Agency.Status.DRAFT)
    assert client.get("/api/v1/agencies/").json()["count"] == 4
    assert "All 4 bureaus" in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/agencies/?level=provincial_department").json()["count"] == 2
    assert counts_agencies(queries.captured_queries)
