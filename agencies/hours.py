"""The one answer to "is it open?": agency rules + national calendar + aware datetime → status.

The site, the API, JSON-LD and the benchmarks all call `office_status`. It is pure: it reads the
rules it is given and never queries the database (build a `Calendar` once and pass it in)."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

# How far ahead to look for the next opening before giving up (a bureau closed for a year is
# effectively "no upcoming hours").
HORIZON_DAYS = 400
# The longest run of days off searched for a holiday on either side of a weekend day (Spring
# Festival blocks are 8–9 days).
MAX_BLOCK_DAYS = 12


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    kind: str  # "holiday" | "workday" (make-up workday on a weekend) | "weekend" | "workday_regular"
    name: str = ""
    name_zh: str = ""
    source: str = ""  # "package" (holidays library) | "staff" (PublicHoliday row) | ""


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[dict[dt.date, str], dict[dt.date, str], frozenset[dt.date]]:
    english = holidays.country_holidays("CN", years=year, language="en_US")
    chinese = holidays.country_holidays("CN", years=year, language="zh_CN")
    workdays = frozenset(day for day in english.weekend_workdays if day.year == year)
    return dict(english), dict(chinese), workdays


class Calendar:
    """China's national calendar: the `holidays` package, overridden or extended by staff entries."""

    def __init__(self, overrides: Iterable = ()):
        # overrides: objects with date, kind ("holiday"/"workday"), name, name_zh (PublicHoliday rows)
        self.overrides = {entry.date: entry for entry in overrides}

    @classmethod
    def load(cls) -> Calendar:
        from agencies.models import PublicHoliday

        return cls(PublicHoliday.objects.all())

    def day(self, date: dt.date) -> CalendarDay:
        entry = self.overrides.get(date)
        if entry is not None:
            return CalendarDay(date, entry.kind, entry.name, entry.name_zh, "staff")
        english, chinese, workdays = _package_year(date.year)
        if date in english:
            return CalendarDay(date, "holiday", english[date], chinese.get(date, ""), "package")
        if date in workdays:
            return CalendarDay(date, "workday", "Make-up workday", "调休上班", "package")
        if date.isoweekday() >= 6:
            name, name_zh = self.holiday_block_name(date)
            return CalendarDay(date, "weekend", name, name_zh)
        return CalendarDay(date, "workday_regular")

    def _is_holiday(self, date: dt.date) -> tuple[str, str] | None:
        entry = self.overrides.get(date)
        if entry is not None:
            return (entry.name, entry.name_zh) if entry.kind == "holiday" else None
        english, chinese, _workdays = _package_year(date.year)
        return (english[date], chinese.get(date, "")) if date in english else None

    def _is_day_off(self, date: dt.date) -> bool:
        """A holiday, or a weekend day that is not a make-up workday."""
        if self._is_holiday(date):
            return True
        entry = self.overrides.get(date)
        if entry is not None:
            return False  # a staff make-up workday
        return date.isoweekday() >= 6 and date not in _package_year(date.year)[2]

    def holiday_block_name(self, date: dt.date) -> tuple[str, str]:
        """A weekend day inside a holiday block (a run of days off with a holiday in it, as the State
        Council announces them: "1 to 7 October off") carries the block's holiday name; otherwise ("", "").

        The block's name is its most frequent holiday name ("National Day" over "Day off
        (substituted …)"), the earliest on a tie."""
        names: list[tuple[dt.date, str, str]] = []
        for step in (-1, 1):
            day = date + dt.timedelta(days=step)
            for _ in range(MAX_BLOCK_DAYS):
                if not self._is_day_off(day):
                    break
                holiday = self._is_holiday(day)
                if holiday:
                    names.append((day, *holiday))
                day += dt.timedelta(days=step)
        if not names:
            return "", ""
        names.sort()
        counts: dict[tuple[str, str], int] = {}
        for _day, name, name_zh in names:
            counts[(name, name_zh)] = counts.get((name, name_zh), 0) + 1
        return max(counts, key=counts.get)  # dicts keep insertion order: the earliest wins a tie

    def special_days(self, start: dt.date, end: dt.date, *, with_block_weekends: bool = False) -> list[CalendarDay]:
        """Holidays and make-up workdays between start and end inclusive (and, if asked, the weekend
        days inside holiday blocks, named after their holiday)."""
        days = (self.day(start + dt.timedelta(days=n)) for n in range((end - start).days + 1))
        return [day for day in days if day.kind in {"holiday", "workday"}
                or (with_block_weekends and day.kind == "weekend" and day.name)]


@dataclass(frozen=True, order=True)
class Interval:
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class DaySchedule:
    date: dt.date
    intervals: tuple[Interval, ...]
    reason: str  # regular | makeup_workday | public_holiday | weekend | special_closure | special_hours | no_hours
    detail: str = ""  # holiday name, special-day reason
    detail_zh: str = ""
    season: str = ""


@dataclass(frozen=True)
class OfficeStatus:
    state: str  # "open" | "closed" | "unknown"
    reason: str
    detail: str = ""
    detail_zh: str = ""
    season: str = ""
    at: dt.datetime | None = None
    next_change: dt.datetime | None = None  # aware, in the agency's zone
    timezone: str = ""
    today: DaySchedule | None = field(default=None, compare=False)

    @property
    def is_open(self) -> bool | None:
        return {"open": True, "closed": False}.get(self.state)


def status_holds_until(status: OfficeStatus) -> dt.datetime:
    """Until when the bureau's status line, everything its page says about "today" and its status answer
    in the API (but for the moment asked) read as they do at `status.at`: its next opening or closing,
    or midnight where the bureau is, whichever is first (a closed line names "tomorrow" or a weekday
    relative to today)."""
    midnight = dt.datetime.combine(status.at.date() + dt.timedelta(days=1), dt.time(0), tzinfo=status.at.tzinfo)
    return min(status.next_change, midnight) if status.next_change else midnight


def day_schedule(hours: Sequence, special_days: Sequence, calendar: Calendar, date: dt.date) -> DaySchedule:
    """The intervals an agency keeps on one local date, and why."""
    specials = [special for special in special_days if special.date == date]
    closure = next((special for special in specials if special.kind == "closed"), None)
    if closure is not None:
        return DaySchedule(date, (), "special_closure", closure.reason, getattr(closure, "reason_zh", ""))
    if specials:
        intervals = tuple(sorted(Interval(s.opens, s.closes) for s in specials))
        return DaySchedule(date, intervals, "special_hours", specials[0].reason, getattr(specials[0], "reason_zh", ""))

    calendar_day = calendar.day(date)
    if calendar_day.kind == "holiday":
        return DaySchedule(date, (), "public_holiday", calendar_day.name, calendar_day.name_zh)

    weekdays = [date.isoweekday()]
    reason = "regular"
    if calendar_day.kind == "workday":
        # A make-up workday keeps the hours of an ordinary working day (the first of Mon–Fri with rules).
        weekdays = [1, 2, 3, 4, 5]
        reason = "makeup_workday"
    for weekday in weekdays:
        rules = [rule for rule in hours if weekday in rule.weekday_set and rule.season.contains(date)]
        if rules:
            intervals = tuple(sorted(Interval(rule.opens, rule.closes) for rule in rules))
            season = next((rule.season_name for rule in rules if rule.season_name), "")
            return DaySchedule(date, intervals, reason, calendar_day.name, calendar_day.name_zh, season)
    if calendar_day.kind == "weekend":
        if calendar_day.name:  # a weekend day inside a holiday block is said to be the holiday
            return DaySchedule(date, (), "public_holiday", calendar_day.name, calendar_day.name_zh)
        return DaySchedule(date, (), "weekend")
    return DaySchedule(date, (), "no_hours")


def _local(date: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=zone)


def _next_opening(hours, special_days, calendar, after: dt.datetime, zone) -> dt.datetime | None:
    date = after.date()
    for offset in range(HORIZON_DAYS):
        day = date + dt.timedelta(days=offset)
        for interval in day_schedule(hours, special_days, calendar, day).intervals:
            start = _local(day, interval.opens, zone)
            if start > after:
                return start
    return None


def office_status(
    *,
    hours: Sequence,
    special_days: Sequence = (),
    calendar: Calendar,
    at: dt.datetime,
    timezone: str = "Asia/Shanghai",
) -> OfficeStatus:
    """Open, closed or unknown at the aware datetime `at`, why, and when that next changes."""
    if at.tzinfo is None:
        raise ValueError("office_status needs an aware datetime")
    zone = zoneinfo.ZoneInfo(timezone)
    local = at.astimezone(zone)
    today = day_schedule(hours, special_days, calendar, local.date())
    has_special_today = today.reason in {"special_closure", "special_hours"}
    if not hours and not has_special_today:
        return OfficeStatus("unknown", "not_published", at=local, timezone=timezone, today=today)

    now = local.time()
    for interval in today.intervals:
        if interval.opens <= now < interval.closes:
            closes_at = _local(local.date(), interval.closes, zone)
            return OfficeStatus(
                "open", today.reason, today.detail, today.detail_zh, today.season, local, closes_at, timezone, today
            )

    if today.intervals:
        if now < today.intervals[0].opens:
            reason = "before_opening"
        elif now >= today.intervals[-1].closes:
            reason = "after_hours"
        else:
            reason = "lunch_break"
        detail, detail_zh = today.detail, today.detail_zh
    else:
        reason, detail, detail_zh = today.reason, today.detail, today.detail_zh
        if reason in {"regular", "makeup_workday"}:
            reason = "no_hours"
    next_open = _next_opening(hours, special_days, calendar, local, zone)
    return OfficeStatus("closed", reason, detail, detail_zh, today.season, local, next_open, timezone, today)


def agency_status(agency, at: dt.datetime, calendar: Calendar | None = None) -> OfficeStatus:
    """`office_status` for a model instance; prefetch office_hours and special_days to avoid queries."""
    return office_status(
        hours=list(agency.office_hours.all()),
        special_days=list(agency.special_days.all()),
        calendar=calendar or Calendar.load(),
        at=at,
        timezone=agency.timezone,
    )
