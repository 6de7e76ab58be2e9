"""Plan a visit: "Is it open on …?", holiday blocks, bureaus that publish nothing, dates in one style."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from agencies.hours import Calendar, office_status
from agencies.models import Agency
from tests.site.conftest import GUIYANG, HUAIHUA, SHANGHAI


def visit(client, slug: str, **params):
    return client.get(reverse("site:agency", kwargs={"slug": slug}), params)


def answer_text(body: str) -> str:
    block = re.search(r'<div class="visit-answer" role="status">(.*?)</div>', body, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", block).split())


@pytest.mark.parametrize(("params", "expected"), [
    ({"on": "2026-10-02"}, "Friday 2 October 2026: closed: public holiday (National Day)"),
    ({"on": "2026-10-04"}, "Sunday 4 October 2026: closed: public holiday (National Day)"),
    ({"on": "2026-10-10"}, "Saturday 10 October 2026: 08:00–12:00 and 14:30–17:30 (lunch break 12:00–14:30) "
                           "(make-up workday) (season: Winter)"),
    ({"on": "2026-07-06", "at": "12:30"},
     "Monday 6 July 2026 12:30: 08:00–12:00 and 15:00–18:00 (lunch break 12:00–15:00) (season: Summer) "
     "■ Closed for lunch · opens 15:00"),
])
def test_is_it_open_on_a_day_answers_hours_holiday_makeup_day_and_season(seed, client, freeze, params, expected):
    freeze(2026, 9, 15, 9, 0)
    response = visit(client, HUAIHUA, **params)
    assert response.status_code == 200
    assert answer_text(response.content.decode()).startswith(expected)


def test_visit_answer_is_the_api_status_at_that_moment(seed, client):
    body = visit(client, HUAIHUA, on="2026-07-06", at="12:30").content.decode()
    api_url = re.search(r'<a href="(/api/v1/agencies/[^"]+/status/\?at=[^"]+)">', body).group(1)
    api = client.get(api_url.replace("&amp;", "&")).json()
    assert (api["open"], api["reason"], api["next_change"]) == (False, "lunch_break", "2026-07-06T15:00:00+08:00")
    agency = Agency.objects.get(slug=HUAIHUA)
    status = office_status(hours=list(agency.office_hours.all()), calendar=Calendar.load(),
                           at=dt.datetime(2026, 7, 6, 12, 30, tzinfo=SHANGHAI))
    assert status.reason == api["reason"]


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"on": "tomorrow"}, "on", "Enter a real date, for example 2026-10-02."),
    ({"on": ""}, "on", "Enter the date of your visit."),
    ({"on": "9999-12-31"}, "on", "Choose a date between 2000 and 2099."),
    ({"on": "2026-10-02", "at": "25:00"}, "at", "Enter a time on the 24-hour clock, for example 14:30."),
])
def test_visit_form_errors_follow_the_gov_uk_pattern(seed, client, params, field, message):
    response = visit(client, HUAIHUA, **params)
    body = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"<title>Error: ", body)
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1".*?</div>', body, re.S).group(0)
    assert "There is a problem" in summary and f'<a href="#visit_{field}">{message}</a>' in summary
    assert f'id="visit_{field}_error"' in body and 'aria-invalid="true"' in body


def test_bureau_publishing_neither_phone_nor_website_offers_correction_form_and_region(seed, client):
    body = visit(client, GUIYANG).content.decode()
    assert "Please call or check its website" not in body
    assert "publishes no office hours, and no telephone number or website either" in body
    assert '<a href="#correction">' in body
    assert re.search(r'<a href="/regions/520000/">See the other bureaus in Guizhou</a>', body)


def test_profile_first_screen_has_todays_hours_and_a_call_button(seed, client, freeze):
    freeze(2026, 11, 24, 9, 0)
    body = visit(client, HUAIHUA).content.decode()
    answer = re.search(r'<div class="answer">(.*?)</div>', body, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", "", answer).split())
    assert "Today, Tuesday 24 November 2026: 08:00–12:00 and 14:30–17:30 (lunch break 12:00–14:30)" in text
    assert re.search(r'<a class="call-button" href="tel:\+86745\d+">', answer)


def test_dates_in_one_style_in_english(seed, client, freeze):
    freeze(2026, 9, 30, 9, 0)
    english = " ".join(re.sub(r"<[^>]+>", "", visit(client, HUAIHUA).content.decode()).split())
    assert "Thursday 1 October 2026: public holiday" in english and "5 January 2024" in english
    assert "Jan. 5" not in english


def test_dates_in_one_style_in_chinese(seed, zh_client, freeze):
    freeze(2026, 9, 30, 9, 0)
    chinese = " ".join(re.sub(r"<[^>]+>", "", visit(zh_client, HUAIHUA).content.decode()).split())
    assert "2026年10月1日（星期四）" in chinese and "2024年1月5日" in chinese
