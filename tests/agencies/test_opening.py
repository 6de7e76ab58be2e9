"""Property test: the database's answer to "who is open at this instant?" (agencies/opening.py) is the
single open/closed function's answer (agencies/hours.py), for random agencies and instants across
seasons (wrapping the year end too), public holidays, make-up workdays, staff calendar entries,
special days and time zones."""
import datetime as dt
import random
import zoneinfo
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies import opening
from agencies.hours import Calendar, agency_status
from agencies.models import Agency, OfficeHours, PublicHoliday, SpecialDay
from agencies.opening import listed_status, open_at, rules_of
from portal.status import status_line
from tests.factories import AgencyFactory

UTC = dt.UTC
ZONES = ["Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Urumqi"]
SEASONS = [("", ""), ("", ""), ("07-01", "09-30"), ("10-01", "06-30"), ("03-15", "11-14"), ("12-20", "01-10")]
WEEKDAY_SETS = ["12345", "12345", "1234", "2345", "135", "6", "67", "123456", "5"]
# Dates where the calendar is not ordinary (2026–2027): Spring Festival, National Day and their
# make-up workdays in the `holidays` package, plus the staff entries made below.
CALENDAR_DAYS = [dt.date(2026, 2, 14), dt.date(2026, 2, 17), dt.date(2026, 2, 28), dt.date(2026, 10, 1),
                 dt.date(2026, 10, 7), dt.date(2026, 10, 10), dt.date(2026, 9, 20), dt.date(2027, 2, 7),
                 dt.date(2027, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 7, 1), dt.date(2026, 6, 30),
                 dt.date(2026, 11, 23), dt.date(2026, 11, 28), dt.date(2026, 3, 4), dt.date(2026, 3, 7)]


def minute(hour: int, minutes: int) -> dt.time:
    return dt.time(hour, minutes)


def random_agency(rng: random.Random) -> Agency:
    agency = AgencyFactory(timezone=rng.choice(ZONES))
    for valid_from, valid_through in rng.sample(SEASONS, rng.randint(0, 2)):
        weekdays = rng.choice(WEEKDAY_SETS)
        morning = (rng.choice([7, 8, 9]), rng.choice([0, 30]))
        OfficeHours.objects.create(agency=agency, weekdays=weekdays, opens=minute(*morning),
                                   closes=minute(rng.choice([11, 12]), rng.choice([0, 30])),
                                   valid_from=valid_from, valid_through=valid_through)
        if rng.random() < 0.7:
            OfficeHours.objects.create(agency=agency, weekdays=weekdays, opens=minute(rng.choice([13, 14]), 30),
                                       closes=minute(rng.choice([17, 18]), rng.choice([0, 30])),
                                       valid_from=valid_from, valid_through=valid_through)
    for _ in range(rng.randint(0, 3)):
        day = rng.choice(CALENDAR_DAYS)
        if rng.random() < 0.4:
            SpecialDay.objects.get_or_create(agency=agency, date=day, kind=SpecialDay.Kind.CLOSED)
        else:
            start = rng.choice([8, 9, 10])
            SpecialDay.objects.create(agency=agency, date=day, kind=SpecialDay.Kind.HOURS,
                                      opens=minute(start, 0), closes=minute(start + rng.choice([1, 2, 4]), 30))
    return agency


@pytest.fixture
def random_agencies(db):
    rng = random.Random(11)
    PublicHoliday.objects.create(date=dt.date(2026, 3, 4), kind="holiday", name="Staff holiday on a Wednesday")
    PublicHoliday.objects.create(date=dt.date(2026, 3, 7), kind="workday", name="Staff make-up Saturday")
    return [random_agency(rng) for _ in range(30)]


def near(hour: int, minutes: int, shift: int) -> dt.time:
    return (dt.datetime(2000, 1, 1, hour, minutes) + dt.timedelta(seconds=shift)).time()


local_times = st.one_of(
    st.times(),
    # Rule and special-day boundaries, and a second either side of them.
    st.builds(near, st.sampled_from([7, 8, 9, 10, 11, 12, 13, 14, 17, 18]), st.sampled_from([0, 30]),
              st.sampled_from([-1, 0, 1])),
)
days = st.one_of(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)), st.sampled_from(CALENDAR_DAYS))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(day=days, time=local_times, zone=st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "UTC"]))
@pytest.mark.parametrize("rule_sets_in_sql", [False, True], ids=["rule-sets", "rules-in-sql"])
def test_the_index_answers_as_the_function_does(random_agencies, monkeypatch, rule_sets_in_sql, day, time, zone):
    """Both ways of asking the weekly rules: per distinct rule set (the usual), and in SQL per agency
    (above MAX_RULE_SETS distinct sets)."""
    monkeypatch.setattr(opening, "MAX_RULE_SETS", 0 if rule_sets_in_sql else opening.MAX_RULE_SETS)
    at = dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)
    calendar = Calendar.load()
    agencies = Agency.objects.with_listing().prefetch_related("office_hours", "special_days")
    expected = {agency.pk for agency in agencies if agency_status(agency, at, calendar).state == "open"}
    assert set(open_at(Agency.objects.all(), at, calendar).values_list("pk", flat=True)) == expected
    if not rule_sets_in_sql:
        # A list's status badge (rules from the row's `weekly_hours`) says what the profile says; only the
        # season's name, which a badge never shows, is the profile's alone.
        listed = {agency.pk: listed_status(agency, at, calendar) for agency in agencies}
        for agency in agencies:
            assert listed[agency.pk] == replace(agency_status(agency, at, calendar), season=""), agency
            assert status_line(listed[agency.pk]) == status_line(agency_status(agency, at, calendar))


def test_the_random_agencies_cover_what_the_property_is_about(random_agencies):
    """Guard against a vacuous property: open and closed answers, every kind of day, both zones."""
    calendar = Calendar.load()
    kinds = {calendar.day(day).kind for day in CALENDAR_DAYS}
    assert {"holiday", "workday", "weekend", "workday_regular"} <= kinds
    monday_ten = dt.datetime(2026, 11, 23, 2, tzinfo=UTC)
    states = {agency_status(a, monday_ten, calendar).state for a in random_agencies}
    assert states == {"open", "closed", "unknown"}
    assert {a.timezone for a in random_agencies} == {"Asia/Shanghai", "Asia/Urumqi"}
    assert OfficeHours.objects.exclude(valid_from="").filter(valid_from__gt="07-01").exists()


def _weekly(agency) -> str:
    return Agency.objects.filter(pk=agency.pk).values_list("weekly_hours", flat=True).get()


def _rules(agency) -> set[tuple]:
    return {(rule.weekdays, rule.opens, rule.closes, rule.valid_from, rule.valid_through)
            for rule in OfficeHours.objects.filter(agency=agency)}


def _decoded(agency) -> set[tuple]:
    return {(rule.weekdays, rule.opens, rule.closes, rule.valid_from, rule.valid_through)
            for rule in rules_of(_weekly(agency))}


@pytest.mark.django_db
def test_the_database_keeps_each_agencys_weekly_hours_through_every_kind_of_write():
    """`weekly_hours` is written by triggers alone: saves, bulk writes, queryset updates, raw SQL, a
    stale agency saved over it, moving a rule to another agency, deletes."""
    from django.db import connection

    agency, other = AgencyFactory(), AgencyFactory()
    assert _weekly(agency) == ""
    morning = OfficeHours.objects.create(agency=agency, weekdays="12345", opens=minute(8, 30), closes=minute(12, 0))
    stale = Agency.objects.get(pk=agency.pk)  # loaded with one rule
    assert _weekly(agency) == "12345,08:30:00,12:00:00,,"
    OfficeHours.objects.bulk_create([
        OfficeHours(agency=agency, weekdays="12345", opens=minute(14, 30), closes=minute(18, 0)),
        OfficeHours(agency=agency, weekdays="6", opens=minute(9, 0), closes=minute(11, 0),
                    valid_from="07-01", valid_through="09-30"),
    ])
    assert _decoded(agency) == _rules(agency) and len(_rules(agency)) == 3
    OfficeHours.objects.filter(agency=agency, weekdays="6").update(closes=minute(11, 30))
    assert _decoded(agency) == _rules(agency)
    stale.name = "Renamed by a form loaded before the last two writes"
    stale.save()
    assert _decoded(agency) == _rules(agency)
    morning.agency = other
    morning.save()
    assert _decoded(agency) == _rules(agency) and _decoded(other) == _rules(other) == {
        ("12345", minute(8, 30), minute(12, 0), "", "")}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM agencies_officehours WHERE agency_id = %s", [agency.pk])
    assert _weekly(agency) == ""
    other.office_hours.all().delete()
    assert _weekly(other) == ""
    Agency.objects.filter(pk=other.pk).update(weekly_hours="12345,00:00:00,23:59:00,,")  # by hand: put right
    assert _weekly(other) == ""


@pytest.mark.django_db
def test_a_new_rule_set_is_answered_at_once(django_assert_max_num_queries):
    """The distinct rule sets are remembered per content version: a write moves it."""
    agency = AgencyFactory(status=Agency.Status.PUBLISHED)
    monday_ten = dt.datetime(2026, 11, 23, 2, tzinfo=UTC)
    assert not open_at(Agency.objects.all(), monday_ten).exists()
    OfficeHours.objects.create(agency=agency, weekdays="1", opens=minute(9, 0), closes=minute(17, 0))
    assert list(open_at(Agency.objects.all(), monday_ten)) == [agency]
    with django_assert_max_num_queries(5):  # version, holidays, special days on the date, rule sets, agencies
        assert list(open_at(Agency.objects.all(), monday_ten)) == [agency]
