"""The single open/closed function, on the real seed bureaus and on hand-built rules."""
import datetime as dt
import zoneinfo

import pytest

from agencies.hours import Calendar, agency_status, office_status
from agencies.models import Agency, OfficeHours, PublicHoliday, SpecialDay
from tests.factories import AgencyFactory, OfficeHoursFactory, PublicHolidayFactory, SpecialDayFactory

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
GANSU = "gansu-department-of-science-and-technology"
HUAIHUA = "huaihua-science-and-technology-bureau"
ZHEJIANG = "zhejiang-department-of-science-and-technology"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


def status_of(slug: str, when: dt.datetime):
    return agency_status(Agency.objects.get(slug=slug), when, Calendar.load())


@pytest.mark.usefixtures("seed")
class TestSeedBureaus:
    def test_lunch_break_is_closed_and_reports_reopening_time(self):
        status = status_of(GANSU, at(2026, 11, 23, 13, 0))  # a Monday
        assert (status.state, status.reason) == ("closed", "lunch_break")
        assert status.next_change == at(2026, 11, 23, 14, 30)

    def test_huaihua_summer_afternoon_starts_at_three(self):
        status = status_of(HUAIHUA, at(2026, 7, 15, 14, 45))
        assert (status.state, status.reason, status.season) == ("closed", "lunch_break", "Summer")
        assert status.next_change == at(2026, 7, 15, 15, 0)

    def test_huaihua_winter_afternoon_is_open_at_quarter_to_three(self):
        status = status_of(HUAIHUA, at(2026, 10, 15, 14, 45))
        assert (status.state, status.season) == ("open", "Winter")
        assert status.next_change == at(2026, 10, 15, 17, 30)

    @pytest.mark.parametrize("slug", [GANSU, HUAIHUA])
    def test_national_day_is_a_holiday_and_reopens_on_thursday_8_october(self, slug):
        status = status_of(slug, at(2026, 10, 1, 10, 0))
        assert (status.state, status.reason, status.detail) == ("closed", "public_holiday", "National Day")
        assert status.detail_zh == "国庆节"
        assert status.next_change.date() == dt.date(2026, 10, 8)
        assert status.next_change.strftime("%a") == "Thu"

    def test_saturday_make_up_workday_is_open(self):
        status = status_of(GANSU, at(2026, 10, 10, 9, 0))
        assert (status.state, status.reason) == ("open", "makeup_workday")
        assert status.next_change == at(2026, 10, 10, 12, 0)

    def test_sunday_make_up_workday_in_september_is_open(self):
        assert status_of(GANSU, at(2026, 9, 20, 9, 0)).state == "open"

    def test_ordinary_saturday_is_closed_for_the_weekend(self):
        status = status_of(GANSU, at(2026, 11, 21, 10, 0))
        assert (status.state, status.reason) == ("closed", "weekend")
        assert status.next_change == at(2026, 11, 23, 8, 30)

    @pytest.mark.parametrize("when", [at(2026, 11, 23, 10), at(2026, 10, 1, 10), at(2026, 11, 21, 3)])
    def test_bureau_without_published_hours_is_unknown_never_closed(self, when):
        status = status_of(ZHEJIANG, when)
        assert status.state == "unknown"
        assert status.is_open is None
        assert status.reason == "not_published"
        assert status.next_change is None

    def test_status_is_computed_in_the_agency_zone_whatever_the_input_zone(self):
        utc = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 09:00 in Lanzhou
        status = status_of(GANSU, utc)
        assert status.state == "open"
        assert status.next_change.utcoffset() == dt.timedelta(hours=8)

    def test_after_hours_on_friday_before_a_weekend_reopens_monday(self):
        status = status_of(GANSU, at(2026, 11, 27, 18, 0))  # closes at 18:00 exactly
        assert (status.state, status.reason) == ("closed", "after_hours")
        assert status.next_change == at(2026, 11, 30, 8, 30)

    def test_season_boundary_uses_winter_hours_on_1_october_rules(self):
        # 30 June is the last winter day: afternoon starts 14:30; 1 July summer: 15:00.
        assert status_of(HUAIHUA, at(2026, 6, 30, 14, 45)).state == "open"
        assert status_of(HUAIHUA, at(2026, 7, 1, 14, 45)).state == "closed"


@pytest.mark.django_db
class TestRules:
    def test_staff_holiday_overrides_the_package_for_an_unannounced_year(self):
        agency = AgencyFactory(hours=True)
        friday = at(2027, 10, 8, 10)  # the package cannot know 2027's bridge days yet
        assert agency_status(agency, friday, Calendar.load()).state == "open"
        PublicHolidayFactory(date=dt.date(2027, 10, 8), name="National Day")
        status = agency_status(agency, friday, Calendar.load())
        assert (status.state, status.reason, status.detail) == ("closed", "public_holiday", "National Day")

    def test_staff_workday_entry_opens_a_saturday(self):
        agency = AgencyFactory(hours=True)
        PublicHolidayFactory(date=dt.date(2027, 1, 9), kind=PublicHoliday.Kind.WORKDAY, name="Make-up workday")
        status = agency_status(agency, at(2027, 1, 9, 9), Calendar.load())
        assert (status.state, status.reason) == ("open", "makeup_workday")

    def test_staff_entry_can_cancel_a_package_holiday(self):
        agency = AgencyFactory(hours=True)
        PublicHolidayFactory(date=dt.date(2026, 10, 5), kind=PublicHoliday.Kind.WORKDAY, name="Office duty day")
        assert agency_status(agency, at(2026, 10, 5, 9), Calendar.load()).state == "open"

    def test_special_closure_closes_a_normal_workday(self):
        agency = AgencyFactory(hours=True)
        SpecialDayFactory(agency=agency, date=dt.date(2026, 12, 1), reason="Office move")
        status = agency_status(agency, at(2026, 12, 1, 10), Calendar.load())
        assert (status.state, status.reason, status.detail) == ("closed", "special_closure", "Office move")
        assert status.next_change == at(2026, 12, 2, 8, 30)

    def test_special_hours_replace_the_weekly_rules(self):
        agency = AgencyFactory(hours=True)
        SpecialDayFactory(agency=agency, date=dt.date(2026, 12, 1), kind=SpecialDay.Kind.HOURS,
                          opens=dt.time(9), closes=dt.time(11))
        status = agency_status(agency, at(2026, 12, 1, 9, 30), Calendar.load())
        assert (status.state, status.reason) == ("open", "special_hours")
        assert status.next_change == at(2026, 12, 1, 11)
        assert agency_status(agency, at(2026, 12, 1, 15), Calendar.load()).state == "closed"

    def test_season_wrapping_the_year_end_applies_in_january(self):
        agency = AgencyFactory()
        OfficeHoursFactory(agency=agency, valid_from="10-01", valid_through="06-30", season_name="Winter",
                           opens=dt.time(9), closes=dt.time(17))
        status = agency_status(agency, at(2027, 1, 12, 10), Calendar.load())
        assert (status.state, status.season) == ("open", "Winter")
        # 15 July: outside the only season: closed, and the next opening is 1 October.
        summer = agency_status(agency, at(2026, 7, 15, 10), Calendar.load())
        assert summer.state == "closed"
        assert summer.next_change == at(2026, 10, 8, 9)  # 1–7 October are National Day holidays

    def test_rules_on_weekends_are_honoured(self):
        agency = AgencyFactory()
        OfficeHoursFactory(agency=agency, weekdays="6", opens=dt.time(9), closes=dt.time(12))
        assert agency_status(agency, at(2026, 11, 21, 10), Calendar.load()).state == "open"

    def test_naive_datetime_is_refused(self):
        with pytest.raises(ValueError, match="aware"):
            office_status(hours=[], calendar=Calendar(), at=dt.datetime(2026, 1, 1))


def test_calendar_lists_holidays_and_make_up_workdays_of_a_range():
    days = Calendar().special_days(dt.date(2026, 9, 19), dt.date(2026, 10, 11))
    kinds = {day.date: day.kind for day in days}
    assert kinds[dt.date(2026, 9, 20)] == "workday"
    assert kinds[dt.date(2026, 10, 10)] == "workday"
    assert all(kinds[dt.date(2026, 10, d)] == "holiday" for d in (1, 2, 3, 5, 6, 7))
    assert dt.date(2026, 10, 4) not in kinds  # a Sunday inside the holiday is simply a weekend
    assert dt.date(2026, 9, 19) not in kinds  # an ordinary Saturday is not listed


@pytest.mark.parametrize(("day", "name"), [
    (dt.date(2026, 10, 4), "National Day"),  # Sunday between the holidays of 1–7 October
    (dt.date(2026, 2, 22), "Chinese New Year (Spring Festival)"),  # not the "Day off (substituted …)"
    (dt.date(2026, 6, 20), "Dragon Boat Festival"),  # the weekend after a Friday holiday
    (dt.date(2026, 4, 4), "Tomb-Sweeping Day"),  # the Saturday before a Sunday–Monday holiday
    (dt.date(2026, 10, 11), ""),  # the Sunday after the Saturday make-up workday: an ordinary weekend
    (dt.date(2026, 11, 28), ""),
])
def test_weekend_days_inside_a_holiday_block_carry_the_holiday_name(day, name):
    assert Calendar().day(day).name == name


def test_a_weekend_day_in_a_holiday_block_is_closed_for_the_holiday(db):
    rules = [OfficeHours(weekdays="12345", opens=dt.time(9), closes=dt.time(17))]
    status = office_status(hours=rules, calendar=Calendar(), at=at(2026, 10, 4, 10))
    assert (status.state, status.reason, status.detail, status.detail_zh) == (
        "closed", "public_holiday", "National Day", "国庆节")
    ordinary = office_status(hours=rules, calendar=Calendar(), at=at(2026, 10, 11, 10))
    assert (ordinary.state, ordinary.reason) == ("closed", "weekend")
    # The staff calendar still decides: a staff make-up workday ends the block.
    staff = Calendar([PublicHoliday(date=dt.date(2026, 10, 3), kind="workday", name="Make-up", name_zh="调休")])
    assert staff.day(dt.date(2026, 10, 4)).name == "National Day (observed)"  # only 5–7 October follow
    assert staff.day(dt.date(2026, 10, 3)).kind == "workday"


def test_office_status_reads_no_database(django_assert_num_queries, db):
    rules = [OfficeHours(weekdays="12345", opens=dt.time(9), closes=dt.time(17))]
    calendar = Calendar()
    with django_assert_num_queries(0):
        status = office_status(hours=rules, calendar=calendar, at=at(2026, 11, 23, 10))
    assert status.state == "open"
