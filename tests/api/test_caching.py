"""ETag, Last-Modified and 304 answered before serializing; public short Cache-Control; CORS."""
import datetime as dt

import pytest

from agencies.models import Agency, Contact, Region
from duties.models import Duty, DutyCategory
from freshness.models import ContentVersion
from tests.factories import PublicHolidayFactory

API = "/api/v1"
GANSU = "gansu-department-of-science-and-technology"
WENZHOU = "wenzhou-science-and-technology-bureau"
ZHEJIANG = "zhejiang-department-of-science-and-technology"

CACHED_URLS = [
    f"{API}/agencies/",
    f"{API}/agencies/?format=csv",
    f"{API}/agencies/{GANSU}/",
    f"{API}/agencies/{GANSU}/status/?at=2026-11-23T10:00%2B08:00",
    f"{API}/duties/?agency={GANSU}",
    f"{API}/categories/",
    f"{API}/regions/",
    f"{API}/holidays/?year=2026",
]


@pytest.mark.parametrize("url", CACHED_URLS)
def test_if_none_match_gets_304_with_validators_and_no_body(settled_seed, client, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('"') and first["Cache-Control"] == "public, max-age=60"
    assert "Last-Modified" in first
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("url", [f"{API}/agencies/", f"{API}/agencies/{GANSU}/"])
def test_if_modified_since_gets_304_until_the_record_changes(settled_seed, client, url):
    first = client.get(url)
    assert first["Last-Modified"] == "Sun, 22 Nov 2026 00:00:00 GMT"  # when the seed was recorded
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    Agency.objects.get(slug=GANSU).save()
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


@pytest.mark.parametrize(("url", "model", "key"), [
    (f"{API}/regions/", Region, {"code": "620100"}),
    (f"{API}/categories/", DutyCategory, {"slug": "science-data"}),
])
def test_reference_lists_are_modified_by_an_edit_of_their_rows(settled_seed, client, url, model, key):
    first = client.get(url)
    assert first["Last-Modified"] == "Sun, 22 Nov 2026 00:00:00 GMT"
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    model.objects.get(**key).save()
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_last_modified_is_the_last_write_once_its_second_is_over(settled_seed, client):
    """HTTP dates count whole seconds: a date handed out while its second runs could cover a later
    write in the same second, so it is withheld until the second is over (the ETag is exact)."""
    written = dt.datetime(2026, 11, 23, 8, 15, 30, 250000, tzinfo=dt.UTC)
    ContentVersion.objects.update(changed_at=written)
    response = client.get(f"{API}/regions/")
    assert response["Last-Modified"] == "Mon, 23 Nov 2026 08:15:31 GMT"  # rounded up
    Region.objects.filter(code="620100").update(name_zh="兰州")  # a bulk write: no history, no signal
    response = client.get(f"{API}/regions/")
    assert "Last-Modified" not in response and response["ETag"]
    assert "兰州" in response.content.decode()


def test_a_bulk_write_without_history_changes_the_validators(settled_seed, client):
    first = client.get(f"{API}/regions/")
    Region.objects.bulk_create([Region(code="910000", name="Bulk", level=Region.Level.PROVINCE)])  # no history
    again = client.get(
        f"{API}/regions/", HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 200 and "910000" in again.content.decode()


def test_304_is_answered_before_the_page_is_loaded(seed, client, django_assert_num_queries):
    etag = client.get(f"{API}/agencies/")["ETag"]
    with django_assert_num_queries(1):  # the content version only: no count, no page, nothing serialized
        assert client.get(f"{API}/agencies/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_304_for_a_profile_skips_every_prefetch(seed, client, django_assert_num_queries):
    etag = client.get(f"{API}/agencies/{GANSU}/")["ETag"]
    with django_assert_num_queries(1):  # the content version
        assert client.get(f"{API}/agencies/{GANSU}/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_repeated_answer_comes_from_the_shared_cache(seed, client, django_assert_num_queries):
    first = client.get(f"{API}/agencies/{GANSU}/")
    with django_assert_num_queries(1):  # the content version; the body is the stored one
        again = client.get(f"{API}/agencies/{GANSU}/")
    assert again.status_code == 200 and again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"


def test_an_answer_reads_the_content_version_once_and_only_for_itself(seed, client, settings):
    """What an answer remembers on its way (here the search's listed ids) is keyed on the version its
    ETag holds, read once as for pages; the next request reads the version again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.FRESHNESS_CACHE_RESPONSES = False  # computed, not the stored answer
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{API}/agencies/", {"q": "science"}).json()["count"] == 5
    assert sum("freshness_contentversion" in query["sql"] for query in queries.captured_queries) == 1
    Agency.objects.filter(slug=GANSU).update(status=Agency.Status.DRAFT)
    assert client.get(f"{API}/agencies/", {"q": "science"}).json()["count"] == 4


def test_with_the_response_cache_off_nothing_is_stored(seed, client, settings, monkeypatch):
    """The switch (PORTAL_CACHE_PAGES=0) turns storing off too, as for pages: no answer is written to
    the shared cache that nothing will read."""
    stored = []
    monkeypatch.setattr("api.caching.store_answer", lambda *args: stored.append(args))
    settings.FRESHNESS_CACHE_RESPONSES = False
    for url in (f"{API}/agencies/", f"{API}/agencies/{GANSU}/", f"{API}/regions/"):
        assert client.get(url).status_code == 200
    assert stored == []
    settings.FRESHNESS_CACHE_RESPONSES = True
    assert client.get(f"{API}/agencies/{GANSU}/").status_code == 200
    assert len(stored) == 1  # the spy sees stores when the cache is on


def test_etag_differs_by_parameters_and_format(seed, client):
    etags = {
        client.get(f"{API}/agencies/", params)["ETag"]
        for params in ({}, {"page_size": 2}, {"level": "municipal_bureau"}, {"format": "csv"})
    }
    assert len(etags) == 4


@pytest.mark.parametrize(
    ("url", "change"),
    [
        (f"{API}/agencies/", lambda: Agency.objects.filter(slug=WENZHOU).update(status=Agency.Status.DRAFT)),
        (f"{API}/agencies/{GANSU}/", lambda: Agency.objects.get(slug=GANSU).save()),
        (f"{API}/regions/", lambda: Region.objects.filter(code="620100").update(name_zh="兰州")),
        (f"{API}/holidays/?year=2027", lambda: PublicHolidayFactory(date="2027-10-09")),
    ],
)
def test_a_change_changes_the_etag(seed, client, url, change):
    before = client.get(url)["ETag"]
    change()
    after = client.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before


def test_holidays_follow_staff_entries(settled_seed, client):
    first = client.get(f"{API}/holidays/", {"year": 2027})
    PublicHolidayFactory(date="2027-10-09", name="Extra day")
    response = client.get(f"{API}/holidays/", {"year": 2027}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 200 and response["ETag"] != first["ETag"]
    assert {"date": "2027-10-09", "kind": "holiday", "name": "Extra day", "name_zh": "国庆节", "source": "staff"} in (
        response.json()["results"]
    )


def test_errors_are_not_marked_cacheable(seed, client):
    response = client.get(f"{API}/agencies/", {"level": "ministry"})
    assert response.status_code == 400
    assert "ETag" not in response and "public" not in response.get("Cache-Control", "")


def test_any_origin_may_get(seed, client):
    response = client.get(f"{API}/agencies/", HTTP_ORIGIN="https://data.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_preflight_allows_conditional_headers(seed, client):
    response = client.options(
        f"{API}/agencies/", HTTP_ORIGIN="https://data.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 200
    assert "if-none-match" in response["Access-Control-Allow-Headers"]
    assert "POST" not in response["Access-Control-Allow-Methods"]


def test_cors_stays_off_the_public_site(seed, client):
    response = client.get(f"/agencies/{GANSU}/", HTTP_ORIGIN="https://data.example.org")
    assert "Access-Control-Allow-Origin" not in response


def test_head_carries_the_same_validators_as_get(seed, client):
    head = client.head(f"{API}/agencies/")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == client.get(f"{API}/agencies/")["ETag"]


def test_status_now_is_unchanged_until_the_answer_changes(seed, client):
    url = f"{API}/agencies/wenzhou-science-and-technology-bureau/status/"  # no hours: always "unknown"
    first = client.get(url)
    assert first["ETag"].startswith('W/"')
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize(
    "edit",
    [
        lambda gansu: Contact.objects.filter(agency=gansu).first().save(),
        lambda gansu: Duty.objects.filter(agency=gansu).first().save(),
        lambda gansu: DutyCategory.objects.first().save(),
        lambda gansu: Region.objects.get(code="620000").save(),
    ],
)
def test_profile_etag_follows_edits_that_do_not_save_the_agency(settled_seed, client, edit):
    """Imports write contacts and duties in bulk (with history) without touching the agency row."""
    url = f"{API}/agencies/{GANSU}/"
    first = client.get(url)
    edit(Agency.objects.get(slug=GANSU))
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_duties_etag_follows_a_duty_edit_that_does_not_save_the_agency(seed, client):
    url = f"{API}/duties/?agency={GANSU}"
    first = client.get(url)
    duty = Duty.objects.filter(agency__slug=GANSU).first()
    duty.text = "Corrected text."
    duty.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Corrected text." in again.content.decode()


def test_a_childs_change_shows_in_its_parents_profile(wenzhou_under_zhejiang, client):
    url = f"{API}/agencies/{ZHEJIANG}/"
    before = client.get(url)["ETag"]
    Agency.objects.get(slug=WENZHOU).save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after["ETag"] != before


def test_list_etag_follows_the_parent_being_unpublished(wenzhou_under_zhejiang, client):
    url = f"{API}/agencies/?region=330300"  # Wenzhou only; its parent is Zhejiang
    first = client.get(url)
    zhejiang = Agency.objects.get(slug=ZHEJIANG)
    zhejiang.status = Agency.Status.DRAFT
    zhejiang.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again.json()["results"][0]["parent"] is None
