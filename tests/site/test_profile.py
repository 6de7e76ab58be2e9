import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from agencies.models import Agency, Contact, SpecialDay
from tests.factories import AgencyFactory, AgencyNameFactory, ContactFactory, DutyFactory, SourceFactory
from tests.site.conftest import GANSU, GUIYANG, HUAIHUA, WENZHOU, ZHEJIANG


def profile(client, slug: str) -> str:
    response = client.get(reverse("site:agency", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


def status_text(body: str) -> str:
    match = re.search(r'<p class="status status--(\w+)">.*?</span> (.*?)(?:<span class="print-only">.*?</span>)?</p>',
                      body)
    return f"{match.group(1)}: {match.group(2)}"


@pytest.mark.parametrize("slug", [ZHEJIANG, WENZHOU, GUIYANG])
def test_bureaus_without_published_hours_are_unknown_never_closed(seed, client, freeze, slug):
    freeze(2026, 10, 2, 10, 0)  # National Day: still "not published", not "closed"
    body = profile(client, slug)
    assert status_text(body) == "unknown: Office hours not published"
    assert ("This bureau does not publish its office hours." in body
            or "This bureau publishes no office hours, and no telephone number or website either." in body)
    assert '<table class="hours' not in body


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ((2026, 11, 24, 9, 0), "open: Open now · closes 12:00"),
        ((2026, 11, 24, 13, 0), "closed: Closed for lunch · opens 14:30"),
        ((2026, 11, 24, 18, 0), "closed: Closed now · opens tomorrow 08:00"),
        ((2026, 10, 2, 10, 0), "closed: Closed for National Day · opens Thursday 8 October 08:00"),
        ((2026, 11, 28, 10, 0), "closed: Closed for the weekend · opens Monday 30 November 08:00"),
        ((2026, 8, 3, 15, 30), "open: Open now · closes 18:00"),  # summer afternoon
    ],
)
def test_status_line_is_computed_in_the_agency_time_zone(seed, client, freeze, moment, expected):
    freeze(*moment)
    assert status_text(profile(client, HUAIHUA)) == expected


def test_changed_hours_on_a_special_day_show_in_the_status_and_the_list(db, client, freeze):
    agency = AgencyFactory(hours=True)
    SpecialDay.objects.create(agency=agency, date=dt.date(2026, 11, 24), kind="hours", opens=dt.time(9),
                              closes=dt.time(11), reason="Staff training")
    freeze(2026, 11, 24, 10, 0)
    body = profile(client, agency.slug)
    assert status_text(body) == "open: Open now (changed hours) · closes 11:00"
    text = " ".join(re.sub(r"<[^>]+>", "", body).split())
    assert "Tuesday 24 November 2026: changed hours 09:00–11:00 – Staff training" in text


def test_status_line_for_an_agency_in_another_time_zone(db, client, freeze):
    agency = AgencyFactory(hours=True, timezone="Asia/Urumqi")  # UTC+6, two hours behind Beijing
    freeze(2026, 11, 24, 10, 0)  # 08:00 in Urumqi: not yet open
    body = profile(client, agency.slug)
    assert status_text(body) == "closed: Closed now · opens 08:30"
    assert "Times are local to the bureau (Asia/Urumqi); it is now 08:00 there." in body


def test_seasonal_hours_tables_mark_the_current_season_first(seed, client, freeze):
    freeze(2026, 11, 24, 9, 0)
    body = profile(client, HUAIHUA)
    tables = re.findall(r'<table class="hours( hours--current)?">\s*<caption>(.*?)</caption>', body, re.S)
    captions = [(bool(current), re.sub(r"<[^>]+>", "", caption)) for current, caption in tables]
    assert captions == [
        (True, "Winter (1 October to 30 June) current season"),
        (False, "Summer (1 July to 30 September)"),
    ]
    monday = re.search(r'<tr class="is-today" aria-current="date"><th scope="row">Tuesday.*?</tr>', body).group(0)
    assert "08:00–12:00 and 14:30–17:30 (lunch break 12:00–14:30)" in re.sub(r"<[^>]+>", "", monday)
    assert ('<td><span class="time-range">08:00–12:00</span> and <span class="time-range">14:30–17:30</span>'
            ' (lunch break <span class="time-range">12:00–14:30</span>)</td>') in body
    assert body.count('class="is-today"') == 1  # today's row in the current season only
    assert "<tr><th scope=\"row\">Sunday</th><td>Closed</td></tr>" in body


def test_next_60_days_list_holidays_closures_and_makeup_workdays(seed, client, freeze):
    huaihua = Agency.objects.get(slug=HUAIHUA)
    SpecialDay.objects.create(agency=huaihua, date=dt.date(2026, 9, 18), kind="closed", reason="Office move")
    freeze(2026, 9, 15, 9, 0)
    body = profile(client, HUAIHUA)
    upcoming = re.sub(r"<[^>]+>", "", re.search(r'<ul class="upcoming">(.*?)</ul>', body, re.S).group(1))
    lines = [" ".join(line.split()) for line in upcoming.strip().splitlines() if line.strip()]
    assert lines[:3] == [
        "Friday 18 September 2026: closed – Office move",
        "Sunday 20 September 2026: make-up workday: offices work as on a weekday "
        "(08:00–12:00 and 15:00–18:00 (lunch break 12:00–15:00))",
        "Friday 25 September 2026: public holiday (Mid-Autumn Festival)",
    ]
    assert "Thursday 1 October 2026: public holiday (National Day)" in lines
    # The whole block is listed, its weekend days named for the holiday (not left out as "weekend").
    assert "Sunday 4 October 2026: public holiday (National Day)" in lines
    assert "Saturday 26 September 2026: public holiday (Mid-Autumn Festival)" in lines
    assert not any(line.startswith("Saturday 17 October 2026") for line in lines)  # an ordinary weekend
    assert ("Saturday 10 October 2026: make-up workday: offices work as on a weekday "
            "(08:00–12:00 and 14:30–17:30 (lunch break 12:00–14:30))") in lines


def test_phones_show_local_format_with_tel_links_on_e164_and_published_labels(seed, client):
    body = profile(client, ZHEJIANG)
    assert '<span lang="en">Supervision Telephone</span> (0571) 87056409' in body
    assert '<a href="tel:+8657187056409">0571 8705 6409</a>' in body
    assert '<a href="tel:+8657187054007">0571 8705 4007</a>' in body
    assert '<a href="mailto:webmaster@zjinfo.gov.cn">webmaster@zjinfo.gov.cn</a>' in body
    assert "No. 33, West Huancheng Road" in body and "Postcode 310006" in body
    assert body.count('<a href="http://kjt.zj.gov.cn" rel="external">') == 1  # published once, shown once


@pytest.mark.parametrize("slug", [WENZHOU, GUIYANG])
def test_bureaus_without_phone_say_not_published(seed, client, slug):
    body = profile(client, slug)
    assert "<dt>Telephone</dt><dd>not published</dd>" in body
    assert "tel:" not in body


def test_profile_shows_names_breadcrumb_other_names_duties_and_source(seed, client):
    body = profile(client, GANSU)
    assert '<h1 lang="en">Gansu Provincial Department of Science and Technology</h1>' in body
    assert '<p class="profile__alt" lang="zh-Hans">甘肃省科学技术厅</p>' in body
    assert '<a href="/regions/620000/" lang="en">Gansu</a>' in body
    assert "<li lang=\"en\">Gansu Provincial Foreign Experts Bureau</li>" in body
    assert re.search(r'<li id="duty-\d+"><span class="duty__label">\(1\)</span>', body)
    assert "<span class=\"visually-hidden\">Category: </span>Foreign talent</a>" in body
    assert "Institutional information: Gansu Provincial Department of Science and Technology" in body


def test_sub_items_are_nested_under_their_item(seed, client):
    body = profile(client, WENZHOU)
    sub_list = re.search(
        r'Government functions transformation:</span>.*?<ol class="duties duties--sub">(.*?)</ol>', body, re.S
    )
    assert sub_list and '<span class="duty__label">(i)</span>' in sub_list.group(1)


def test_source_shows_link_page_date_and_translator(seed, client):
    body = profile(client, HUAIHUA)
    assert '<dd lang="en">Huaihua Municipal Science and Technology Bureau</dd>' in body  # its own URL: unknown
    assert '<dt>Source (as published)</dt><dd lang="en">http://www.huaihua.gov.cn/</dd>' in body
    assert "<dt>Page date</dt><dd>5 January 2024</dd>" in body
    assert '<dt>Translator</dt><dd lang="en">Yu Jie</dd>' in body


@pytest.mark.parametrize(
    ("last_verified", "notice"),
    [
        (None, "this record has never been verified"),
        (dt.date(2025, 1, 1), "last verified on 1 January 2025, more than a year ago"),
        (dt.date(2026, 6, 1), None),
    ],
)
def test_stale_records_carry_a_visible_notice(db, client, freeze, last_verified, notice):
    freeze(2026, 11, 24, 9, 0)
    agency = AgencyFactory(last_verified=last_verified)
    body = profile(client, agency.slug)
    if notice:
        assert '<p class="caution">' in body and notice in body
        assert ("Last verified: never" in body) == (last_verified is None)
    else:
        assert 'class="caution"' not in body and "Last verified: 1 June 2026" in body


def test_unknown_and_draft_slugs_are_404(db, client):
    draft = AgencyFactory(status=Agency.Status.DRAFT)
    for slug in [draft.slug, "no-such-bureau"]:
        response = client.get(f"/agencies/{slug}/")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_profile_runs_a_constant_number_of_queries(db, client, django_assert_max_num_queries):
    small = AgencyFactory(duties=1, contacts=1, hours=True)
    large = AgencyFactory(duties=30, contacts=8, hours=True)
    for agency in (small, large):
        SourceFactory(agency=agency)
        AgencyNameFactory(agency=agency)
    DutyFactory(agency=small, parent=small.duties.first(), position=1)  # same shape: items with sub-items
    parent = large.duties.first()
    for position in range(1, 6):
        DutyFactory(agency=large, parent=parent, position=position, categories=list(parent.categories.all()))
    with django_assert_max_num_queries(13) as baseline:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        body = client.get(large.get_absolute_url()).content.decode()
    assert body.count('class="duty__label"') == 35


def jsonld(body: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))


def test_jsonld_describes_a_government_organization_with_address_contacts_and_seasons(seed, client, freeze):
    freeze(2026, 11, 24, 9, 0)
    data = jsonld(profile(client, ZHEJIANG))
    assert data["@type"] == "GovernmentOrganization"
    assert data["address"] == {
        "@type": "PostalAddress", "streetAddress": "No. 33, West Huancheng Road, Hangzhou (Building 4, Provincial "
        "Administrative Center )", "postalCode": "310006", "addressLocality": "Hangzhou",
        "addressRegion": "Zhejiang", "addressCountry": "CN",
    }
    assert [point["telephone"] for point in data["contactPoint"]] == ["+8657187056409", "+8657187054007",
                                                                      "+8657187056409"]
    assert "openingHoursSpecification" not in data  # none published, none invented

    huaihua = jsonld(profile(client, HUAIHUA))
    seasons = {(spec["validFrom"], spec["validThrough"]) for spec in huaihua["openingHoursSpecification"]}
    assert seasons == {("2026-10-01", "2027-06-30"), ("2027-07-01", "2027-09-30")}
    assert {"@type": "OpeningHoursSpecification", "validFrom": "2027-01-01", "validThrough": "2027-01-01",
            "opens": "00:00", "closes": "00:00"} in huaihua["specialOpeningHoursSpecification"]


def test_jsonld_gives_make_up_workdays_their_weekday_hours(seed, client, freeze):
    freeze(2026, 9, 15, 9, 0)
    special = jsonld(profile(client, HUAIHUA))["specialOpeningHoursSpecification"]
    assert [(s["opens"], s["closes"]) for s in special if s["validFrom"] == "2026-09-20"] == [
        ("08:00", "12:00"), ("15:00", "18:00")]
    assert {"@type": "OpeningHoursSpecification", "validFrom": "2026-10-01", "validThrough": "2026-10-01",
            "opens": "00:00", "closes": "00:00"} in special


def test_jsonld_cannot_break_out_of_its_script_element(db, client):
    agency = AgencyFactory(name="</script><script>alert(1)</script>")
    body = profile(client, agency.slug)
    assert "<script>alert(1)" not in body
    assert jsonld(body)["name"] == "</script><script>alert(1)</script>"


def test_fax_numbers_are_marked_in_jsonld(db, client):
    agency = AgencyFactory()
    ContactFactory(agency=agency, kind=Contact.Kind.FAX, label="Fax", value="0571-87056410")
    assert jsonld(profile(client, agency.slug))["contactPoint"][0]["faxNumber"] == "+8657187056410"


def test_stored_javascript_urls_never_become_links(db, client):
    agency = AgencyFactory(website="javascript:alert(1)")
    Contact.objects.create(agency=agency, kind=Contact.Kind.WEBSITE, label="Web", value="javascript:alert(2)")
    SourceFactory(agency=agency, url="javascript:alert(3)", title="Evil source")
    body = profile(client, agency.slug)
    assert 'href="javascript:' not in body
    assert "javascript:alert(2)" in body  # still shown as published text
