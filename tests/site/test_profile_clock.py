"""A profile is stored until its bureau next opens or closes (or its midnight falls), and shows the
moment per request (freshness.pages.cached_page's `live`, portal.status.status_holds_until); a list of
bureaus (home, search, a region) until the first of them does (portal.status.listing_holds_until)."""
import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freshness.memo import forget_local
from tests.factories import AgencyFactory
from tests.site.conftest import GANSU, HUAIHUA, SHANGHAI
from tests.staff.conftest import editor_client, make_staff  # noqa: F401

PAGE = f"/agencies/{GANSU}/"


@pytest.fixture
def renders(monkeypatch) -> list:
    """One entry per page the site's views render (not per page served from the cache)."""
    import portal.views

    rendered: list = []
    real_render = portal.views.render
    monkeypatch.setattr(portal.views, "render", lambda *args, **kw: rendered.append(1) or real_render(*args, **kw))
    return rendered


def test_a_profile_is_rendered_once_until_the_bureau_opens_or_closes(seed, client, freeze, renders):
    freeze(2026, 11, 23, 9, 0)  # a Monday: Gansu is open 08:30-12:00
    first = client.get(PAGE).content.decode()
    freeze(2026, 11, 23, 11, 59)
    later = client.get(PAGE)
    assert len(renders) == 1
    body = later.content.decode()
    assert "it is now 09:00 there" in first and "it is now 11:59 there" in body
    assert "as of 23 November 2026 11:59" in body and "Open now · closes 12:00" in body
    freeze(2026, 11, 23, 12, 0)
    lunch = client.get(PAGE).content.decode()
    assert len(renders) == 2 and "Closed for lunch" in lunch and "it is now 12:00 there" in lunch


def test_a_browser_revalidating_a_profile_is_told_it_changed_each_minute(seed, client, freeze):
    """The body shows the minute, so its validators move with it even while the stored page stays."""
    freeze(2026, 11, 23, 9, 0, 10)
    first = client.get(PAGE)
    assert client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    freeze(2026, 11, 23, 9, 1, 0)
    again = client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "it is now 09:01 there" in again.content.decode()


def test_signed_in_staff_see_the_moment_itself(seed, editor_client, freeze):  # noqa: F811
    freeze(2026, 11, 23, 9, 0)
    body = editor_client.get(PAGE).content.decode()
    assert "it is now 09:00 there" in body and "freshness-" not in body


MOMENT = re.compile(r"it is now \d\d:\d\d there|as of [^)]*\d\d:\d\d|csrfmiddlewaretoken\" value=\"[^\"]+\"")


def _fresh(client, path: str, moment: dt.datetime, monkeypatch) -> tuple[str, dt.datetime | None]:
    """The page as a first visitor at `moment` gets it, the moment itself left out, and until when the
    view says it holds."""
    cache.clear()
    forget_local()
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))
    response = client.get(path)
    assert response.status_code == 200
    return MOMENT.sub("", response.content.decode()), response.live_until


@pytest.fixture
def elsewhere(seed):
    """A test bureau with hours, two hours behind Beijing (the seeds with hours are all in Beijing time)."""
    return AgencyFactory(hours=True, timezone="Asia/Urumqi").slug


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.sampled_from([GANSU, HUAIHUA, "elsewhere"]),
    start=st.datetimes(min_value=dt.datetime(2026, 9, 25), max_value=dt.datetime(2027, 2, 20)),
    fraction=st.floats(min_value=0, max_value=0.999),
)
def test_a_stored_profile_reads_as_a_fresh_one_until_the_moment_it_is_kept_for(
    client, elsewhere, monkeypatch, which, start, fraction
):
    """What the cache relies on: rendered anew at any moment before the `live_until` the view gives it
    (`status_holds_until`), the page is the same but for the moment it shows (across seasons, lunch
    breaks, weekends, the National Day and Spring Festival holidays and their make-up workdays)."""
    path = f"/agencies/{elsewhere if which == 'elsewhere' else which}/"
    at = start.replace(tzinfo=SHANGHAI)
    body, until = _fresh(client, path, at, monkeypatch)
    assert until > at
    assert _fresh(client, path, at + (until - at) * fraction, monkeypatch)[0] == body


def test_a_list_of_bureaus_is_kept_until_the_first_of_them_opens_or_closes(seed, client, freeze, renders):
    freeze(2026, 11, 23, 9, 30)  # a Monday: Gansu and Huaihua are open
    first = client.get("/").content.decode()
    freeze(2026, 11, 23, 11, 59)
    assert client.get("/").content.decode().count("Open now") == first.count("Open now") >= 2
    assert len(renders) == 1
    freeze(2026, 11, 23, 12, 0)  # both close for lunch
    assert "Closed for lunch" in client.get("/").content.decode() and len(renders) == 2


def test_a_list_of_the_bureaus_open_now_is_kept_a_minute(seed, client, freeze, renders):
    """Which bureaus are open changes with any of them, listed or not."""
    freeze(2026, 11, 23, 9, 30, 5)
    client.get("/", {"open_now": "true"})
    freeze(2026, 11, 23, 9, 30, 55)
    client.get("/", {"open_now": "true"})
    assert len(renders) == 1
    freeze(2026, 11, 23, 9, 31, 0)
    client.get("/", {"open_now": "true"})
    assert len(renders) == 2


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/", "/?q=science", "/regions/620000/", "/regions/431200/"]),
    start=st.datetimes(min_value=dt.datetime(2026, 9, 25), max_value=dt.datetime(2027, 2, 20)),
    fraction=st.floats(min_value=0, max_value=0.999),
)
def test_a_stored_list_reads_as_a_fresh_one_until_the_moment_it_is_kept_for(
    client, elsewhere, monkeypatch, path, start, fraction
):
    at = start.replace(tzinfo=SHANGHAI)
    body, until = _fresh(client, path, at, monkeypatch)
    assert until is not None and until > at  # every such page lists a bureau
    later, _ = _fresh(client, path, at + (until - at) * fraction, monkeypatch)
    assert later == body
