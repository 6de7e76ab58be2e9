"""The shared AgencyFilter's open-at narrowing: same answers as the single function, at any scale."""
import datetime as dt
import zoneinfo

import pytest

from agencies.hours import Calendar, agency_status
from agencies.models import Agency, SpecialDay
from agencies.opening import open_at as agencies_open_at
from api.filters import AgencyFilter, pk_list
from tests.factories import AgencyFactory, OfficeHoursFactory, SpecialDayFactory

CST = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_open_at_agrees_with_the_single_function_for_every_agency():
    regular = AgencyFactory(hours=True)
    closed_today = AgencyFactory(hours=True)
    SpecialDayFactory(agency=closed_today, date=dt.date(2026, 11, 23))
    special_hours = AgencyFactory()
    SpecialDayFactory(agency=special_hours, date=dt.date(2026, 11, 23), kind=SpecialDay.Kind.HOURS,
                      opens=dt.time(9), closes=dt.time(11))
    saturday_only = AgencyFactory()
    OfficeHoursFactory(agency=saturday_only, weekdays="6")
    AgencyFactory()  # publishes no hours: unknown, never listed as open
    for moment in [dt.datetime(2026, 11, 23, 10, tzinfo=CST), dt.datetime(2026, 11, 23, 13, tzinfo=CST),
                   dt.datetime(2026, 11, 28, 10, tzinfo=CST), dt.datetime(2026, 10, 10, 9, tzinfo=CST)]:
        expected = {a.pk for a in Agency.objects.all() if agency_status(a, moment, Calendar.load()).state == "open"}
        assert set(agencies_open_at(Agency.objects.all(), moment).values_list("pk", flat=True)) == expected
    at_ten = set(agencies_open_at(Agency.objects.all(), dt.datetime(2026, 11, 23, 10, tzinfo=CST)))
    assert at_ten == {regular, special_hours}


@pytest.mark.django_db
def test_open_at_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    for _ in range(6):
        AgencyFactory(hours=True)
    with django_assert_max_num_queries(5):
        result = list(agencies_open_at(Agency.objects.all(), dt.datetime(2026, 11, 23, 10, tzinfo=CST)))
    assert len(result) == 6


@pytest.mark.django_db
def test_id_lists_beyond_the_databases_parameter_limit_are_one_parameter():
    agency = AgencyFactory()
    ids = list(range(10**6, 10**6 + 70_000)) + [agency.pk]  # over SQLite's 32,766 and PostgreSQL's 65,535
    assert list(Agency.objects.filter(pk__in=pk_list(ids))) == [agency]


@pytest.mark.django_db
def test_filter_reads_offsetless_times_as_china_standard_time():
    AgencyFactory(hours=True)
    at_nine_beijing = AgencyFilter({"open_at": "2026-11-23T09:00"}, queryset=Agency.objects.all())
    at_nine_utc = AgencyFilter({"open_at": "2026-11-23T09:00Z"}, queryset=Agency.objects.all())  # 17:00 CST
    assert at_nine_beijing.qs.count() == 1
    assert at_nine_utc.qs.count() == 1
    at_eleven_utc = AgencyFilter({"open_at": "2026-11-23T11:00+00:00"}, queryset=Agency.objects.all())
    assert at_eleven_utc.qs.count() == 0  # 19:00 in Beijing
