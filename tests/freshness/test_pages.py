"""Anonymous pages from the shared cache: validators, CSRF per visitor, languages, the clock."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from freshness.models import ContentVersion

GANSU = "gansu-department-of-science-and-technology"
PAGE = f"/agencies/{GANSU}/"
CST = dt.timezone(dt.timedelta(hours=8))
PAGES = ["/", PAGE, "/compare/", "/regions/", "/regions/620000/", "/sitemap.xml"]


@pytest.fixture
def settled(seed):
    ContentVersion.objects.update(changed_at=dt.datetime(2026, 11, 22, tzinfo=dt.UTC))


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_validators_and_answer_304_from_the_content_version(
    settled, client, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('W/"') and "Last-Modified" in first
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    with django_assert_num_queries(1):  # the content version: nothing else is read
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


@pytest.mark.parametrize("url", PAGES)
def test_a_repeated_page_is_served_from_the_cache(seed, client, url, django_assert_num_queries):
    first = client.get(url)
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.status_code == 200
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", again.content) == token.sub(b"", first.content)


@pytest.mark.parametrize("url", ["/", "/?q=science", PAGE, "/regions/620000/"])
def test_a_page_reads_the_content_version_once_however_much_it_remembers(seed, client, url):
    """What the page remembers while it renders (the calendar, the region list, categories) is keyed on
    the version the page is keyed on: one read of the row, not one per memo."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    reads = [query for query in queries.captured_queries if ContentVersion._meta.db_table in query["sql"]]
    assert len(reads) == 1, [query["sql"] for query in queries.captured_queries]
    with CaptureQueriesContext(connection) as queries:  # outside a page, each read is a read
        from freshness import version

        version.current(), version.current()
    assert len(queries.captured_queries) == 2


def test_a_stored_page_keeps_the_views_own_headers(seed, client):
    first, again = client.get("/sitemap.xml"), client.get("/sitemap.xml")
    assert again["X-Robots-Tag"] == first["X-Robots-Tag"] and again["Content-Type"] == first["Content-Type"]


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(seed):
    """The cached page is shared; the token in it is not: the correction form posts fine."""
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(PAGE).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert "placeholder" not in token
        tokens.append(token)
        response = visitor.post(f"{PAGE}correction/", {"message": "The fax number changed.", "email": "",
                                                        "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    assert tokens[0] != tokens[1]


def test_languages_are_cached_apart(seed, client):
    for _ in range(2):  # the second round comes from the cache
        english = client.get(PAGE).content.decode()
        chinese = client.get(f"/zh-hans{PAGE}").content.decode()  # each language has its own URLs
        assert '<html lang="en">' in english and '<html lang="zh-Hans">' in chinese
        assert "网站地图" in chinese and "网站地图" not in english


def test_open_now_is_right_to_the_minute(seed, client, monkeypatch):
    """Gansu closes for lunch at 12:00: the page cached at 11:59 is not shown at 12:00."""
    moments = iter([dt.datetime(2026, 11, 23, 11, 59, 30, tzinfo=CST), dt.datetime(2026, 11, 23, 12, 0, 5, tzinfo=CST)])
    frozen = {"now": next(moments)}
    monkeypatch.setattr(timezone, "now", lambda: frozen["now"].astimezone(dt.UTC))
    before = client.get(PAGE).content.decode()
    assert "Open now · closes 12:00" in before and client.get("/").content.decode().count("Open now") >= 1
    frozen["now"] = next(moments)
    after = client.get(PAGE).content.decode()
    assert "Closed for lunch" in after and "Open now" not in after
    api = client.get("/api/v1/agencies/", {"open_now": "true", "region": "620000"}).json()
    assert api["count"] == 0


def test_the_status_now_is_kept_until_it_changes_with_the_moment_asked_filled_per_request(seed, client, monkeypatch):
    """Gansu is open until its lunch break at 12:00: from 11:58 to 11:59:59 the answer for "now" is the
    stored one (no SQL but the version, no cache read), with `at` the moment of asking and the same weak
    ETag; at 12:00 it is computed again; a write before then is seen by the very next request."""
    from django.core.cache import cache

    from agencies.models import Agency

    status = f"/api/v1/agencies/{GANSU}/status/"
    frozen = {"now": dt.datetime(2026, 11, 23, 11, 58, 0, tzinfo=CST)}
    monkeypatch.setattr(timezone, "now", lambda: frozen["now"].astimezone(dt.UTC))
    first = client.get(status)
    assert first.json()["open"] is True and first.json()["next_change"] == "2026-11-23T12:00:00+08:00"
    reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: reads.append(key) or real_get(key, *args, **kwargs))
    frozen["now"] = dt.datetime(2026, 11, 23, 11, 59, 59, 500000, tzinfo=CST)
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(status)
    assert len(queries) == 1 and "number" in queries[0]["sql"]  # the content version alone
    assert not [key for key in reads if "status" in key]
    assert kept.json() == {**first.json(), "at": "2026-11-23T11:59:59.500000+08:00"}
    assert kept["ETag"] == first["ETag"] and kept["ETag"].startswith("W/")
    assert client.get(status, HTTP_IF_NONE_MATCH=kept["ETag"]).status_code == 304

    frozen["now"] = dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=CST)
    lunch = client.get(status)
    assert lunch.json()["open"] is False and lunch.json()["reason"] == "lunch_break"
    assert lunch["ETag"] != kept["ETag"]

    Agency.objects.get(slug=GANSU).office_hours.all().delete()  # a write moves the version
    assert client.get(status).json()["reason"] == "not_published"


def test_signed_in_staff_never_get_a_stored_page(seed, client, editor_client):
    client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert editor_client.get(PAGE).status_code == 200
    assert len(queries) > 5  # rendered afresh (session, user, the profile's prefetches)


def test_a_pending_message_is_shown_not_a_stored_page(seed, client):
    client.get(PAGE)
    client.post(f"{PAGE}correction/", {"message": "The fax number changed.", "email": ""})
    assert "Thank you" in client.get(PAGE).content.decode()


def test_the_calendar_is_kept_in_process_until_the_content_changes(seed, client, monkeypatch):
    """The status "now" and every page read the calendar: kept in the process (no cache round trip),
    keyed on the content version, so a holiday edit is seen by the very next request."""
    from django.core.cache import cache

    from agencies.models import PublicHoliday

    status = f"/api/v1/agencies/{GANSU}/status/"
    assert client.get(status).status_code == 200
    reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: reads.append(key) or real_get(key, *args, **kwargs))
    # Another moment: an answer not stored yet, computed from the rules (a cache read) and the calendar.
    assert client.get(status, {"at": "2026-11-23T10:00:00+08:00"}).status_code == 200
    assert reads and not [key for key in reads if key.endswith(":calendar")]
    day = timezone.localtime(timezone.now(), CST).date()
    PublicHoliday.objects.create(date=day, kind="holiday", name="Test closure", name_zh="测试")
    answer = client.get(status).json()
    assert answer["open"] is False and "Test closure" in answer["detail"]


@pytest.mark.parametrize("url", [PAGE, f"/api/v1/agencies/{GANSU}/", "/api/v1/agencies/"])
def test_a_process_keeps_its_own_copy_of_the_answers_it_served_and_an_edit_is_seen_at_once(
    seed, client, url, monkeypatch
):
    """A repeat costs no round trip to the shared cache; another worker (no copy of its own) reads the
    shared one; a write moves the version, so the next request asks for another key."""
    from django.core.cache import cache

    from agencies.models import Agency
    from freshness.memo import forget_local

    first = client.get(url)
    shared = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **kw: shared.append(key) or real_get(key, *a, **kw))
    again = client.get(url)
    assert again.status_code == 200 and not shared
    forget_local()  # as another worker
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", client.get(url).content) == token.sub(b"", again.content) and len(shared) == 1
    Agency.objects.filter(slug=GANSU).update(name="Gansu Provincial Department of Science and Technology (renamed)")
    assert b"(renamed)" in client.get(url).content
    assert first.status_code == 200


def test_the_copies_a_process_keeps_are_bounded_in_bytes(monkeypatch):
    from freshness import memo

    monkeypatch.setattr(memo, "LOCAL_ANSWER_BYTES", 8_000)
    for number in range(10):
        memo.store_answer(f"test-answer:{number}", ("text/plain", b"x" * 900), 60)
    assert memo._answer_bytes <= 8_000 and "test-answer:0" not in memo._answers and "test-answer:9" in memo._answers
    memo.store_answer("test-answer:big", ("text/plain", b"x" * 1_001), 60)  # over an eighth: shared cache only
    assert "test-answer:big" not in memo._answers and memo.stored_answer("test-answer:big")[1] == b"x" * 1_001
    memo.stored_answer("test-answer:5")  # read: now the most recently used
    for number in range(7):
        memo.store_answer(f"test-answer:new-{number}", ("text/plain", b"x" * 900), 60)
    assert "test-answer:5" in memo._answers and "test-answer:9" not in memo._answers
