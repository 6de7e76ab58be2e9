"""How the site words the one open/closed answer and the weekly hours (the answer itself comes from
agencies.hours.office_status and is never recomputed here)."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from agencies.hours import Calendar, CalendarDay, DaySchedule, OfficeStatus, day_schedule, status_holds_until
from agencies.models import Agency, OfficeHours, SpecialDay


def _chinese() -> bool:
    return (get_language() or "en").startswith("zh")


def _pick(english: str, chinese: str) -> str:
    return chinese if (_chinese() and chinese) or not english else english


def format_time(value: dt.time | dt.datetime) -> str:
    return value.strftime("%H:%M")


def format_moment(moment: dt.datetime, now: dt.datetime) -> str:
    """'08:00' later today, otherwise 'Thursday 8 October 08:00' (in the agency's own zone, never converted)."""
    if moment.date() == now.date():
        return format_time(moment)
    if moment.date() == now.date() + dt.timedelta(days=1):
        return _("tomorrow %(time)s") % {"time": format_time(moment)}
    return dateformat.format(moment, pgettext("weekday, day, month and time of the next opening", "l j F H:i"))


def format_date(day: dt.date) -> str:
    """'Friday 5 January 2024' / '2024年1月5日（星期五）': the site's one date style, with the weekday."""
    return dateformat.format(day, pgettext("a date with its weekday", "l j F Y"))


def format_datetime(moment: dt.datetime) -> str:
    """'5 January 2024 08:35' / '2024年1月5日 08:35' (the site's date style and a 24-hour time)."""
    return f"{dateformat.format(moment, get_format('DATE_FORMAT'))} {format_time(moment)}"


@dataclass(frozen=True)
class StatusLine:
    state: str  # open | closed | unknown — also the CSS modifier
    text: str

    @property
    def label(self) -> str:
        return {"open": _("Open"), "closed": _("Closed")}.get(self.state, _("Hours unknown"))


def closed_reason(status: OfficeStatus) -> str:
    detail = _pick(status.detail, status.detail_zh)
    if status.reason == "public_holiday":
        return _("Closed for %(holiday)s") % {"holiday": detail} if detail else _("Closed for a public holiday")
    if status.reason == "special_closure":
        return _("Closed today: %(reason)s") % {"reason": detail} if detail else _("Closed today")
    if status.reason == "weekend":
        return _("Closed for the weekend")
    if status.reason == "lunch_break":
        return _("Closed for lunch")
    return _("Closed now")


def status_line(status: OfficeStatus) -> StatusLine:
    """'Open now · closes 12:00', 'Closed for National Day · opens Thu 8 Oct 08:00', …"""
    if status.state == "unknown":
        return StatusLine("unknown", _("Office hours not published"))
    if status.state == "open":
        text = _("Open now · closes %(time)s") % {"time": format_time(status.next_change)}
        if status.reason == "special_hours":
            text = _("Open now (changed hours) · closes %(time)s") % {"time": format_time(status.next_change)}
        return StatusLine("open", text)
    reason = closed_reason(status)
    if status.next_change is None:
        return StatusLine("closed", _("%(reason)s · no opening hours ahead") % {"reason": reason})
    when = format_moment(status.next_change, status.at)
    return StatusLine("closed", _("%(reason)s · opens %(when)s") % {"reason": reason, "when": when})


def listing_holds_until(statuses: Sequence[OfficeStatus]) -> dt.datetime | None:
    """Until when a list of bureaus with their status lines reads as it does: the first moment any of
    them changes (None for an empty list: nothing on it changes with time)."""
    return min((status_holds_until(status) for status in statuses), default=None)


#: where a stored profile shows the time, filled per request (`profile_clock`)
LOCAL_TIME_PLACEHOLDER = "freshness-local-time-4c1e9a"
AS_OF_PLACEHOLDER = "freshness-as-of-4c1e9a"


def profile_clock(timezone: object, now: dt.datetime) -> dict[str, str]:
    """The moment a stored profile shows, for the bureau's zone (`live_state`: its name)."""
    if not timezone:
        return {}
    local = now.astimezone(zoneinfo.ZoneInfo(timezone))
    return {LOCAL_TIME_PLACEHOLDER: format_time(local), AS_OF_PLACEHOLDER: format_datetime(local)}


def time_range(opens: dt.time, closes: dt.time) -> SafeString:
    # One unbreakable unit: a range never wraps between its two times (see .time-range in site.css).
    return format_html('<span class="time-range">{}–{}</span>', format_time(opens), format_time(closes))


def hours_html(intervals: Sequence) -> SafeString:
    """'08:30–12:00 and 14:30–17:30 (lunch break 12:00–14:30)': a break is said in words, not a comma."""
    ranges = [time_range(interval.opens, interval.closes) for interval in intervals]
    if len(ranges) == 2:
        return format_html(_("{first} and {second} (lunch break {lunch})"), first=ranges[0], second=ranges[1],
                           lunch=time_range(intervals[0].closes, intervals[1].opens))
    return mark_safe(", ".join(ranges))


def day_summary(schedule: DaySchedule) -> SafeString:
    """One day in words: its hours, or why it is closed (the DaySchedule office_status worked from)."""
    detail = _pick(schedule.detail, schedule.detail_zh)
    if schedule.intervals:
        hours = hours_html(schedule.intervals)
        if schedule.reason == "makeup_workday":
            return format_html(_("{hours} (make-up workday)"), hours=hours)
        if schedule.reason == "special_hours":
            return format_html(_("{hours} (changed hours: {reason})"), hours=hours, reason=detail) if detail \
                else format_html(_("{hours} (changed hours)"), hours=hours)
        return hours
    if schedule.reason == "public_holiday":
        return format_html(_("closed: public holiday ({name})"), name=detail) if detail \
            else format_html("{}", _("closed: public holiday"))
    if schedule.reason == "special_closure":
        return format_html(_("closed: {reason}"), reason=detail) if detail else format_html("{}", _("closed"))
    if schedule.reason == "weekend":
        return format_html("{}", _("closed: weekend"))
    return format_html("{}", _("closed"))


WEEKDAYS = range(1, 8)


def weekday_name(iso_weekday: int) -> str:
    # 2024-01-01 was a Monday.
    return dateformat.format(dt.date(2024, 1, iso_weekday), "l")


@dataclass
class SeasonTable:
    name: str
    name_lang: str
    valid_from: str
    valid_through: str
    is_current: bool
    rows: list[tuple[str, list[OfficeHours], bool]]  # weekday name, intervals, is today (current season)

    @property
    def is_all_year(self) -> bool:
        return not self.valid_from


def season_label(month_day: str) -> str:
    month, day = (int(part) for part in month_day.split("-"))
    return dateformat.format(dt.date(2024, month, day), pgettext("season start or end", "j F"))


def weekly_tables(hours: Sequence[OfficeHours], today: dt.date) -> list[SeasonTable]:
    """One table per season (or one for all year): each weekday with its intervals."""
    seasons: dict[tuple[str, str], list[OfficeHours]] = {}
    for rule in hours:
        seasons.setdefault((rule.valid_from, rule.valid_through), []).append(rule)
    tables = []
    for (valid_from, valid_through), rules in seasons.items():
        first = rules[0]
        is_current = first.season.contains(today)
        rows = [
            (weekday_name(weekday), sorted((r for r in rules if weekday in r.weekday_set), key=lambda r: r.opens),
             is_current and weekday == today.isoweekday())
            for weekday in WEEKDAYS
        ]
        name = _pick(first.season_name, first.season_name_zh)
        tables.append(SeasonTable(
            name=name,
            name_lang="zh-Hans" if name and name == first.season_name_zh else "en",
            valid_from=season_label(valid_from) if valid_from else "",
            valid_through=season_label(valid_through) if valid_through else "",
            is_current=is_current,
            rows=rows,
        ))
    # The current season first: it is what a visitor needs today.
    tables.sort(key=lambda table: (not table.is_current, table.valid_from))
    return tables


@dataclass
class UpcomingDay:
    date: dt.date
    label: str
    kind: str  # holiday | workday | closure | hours
    name: str
    intervals: tuple = ()


UPCOMING_DAYS = 60


def upcoming_days(agency: Agency, calendar: Calendar, today: dt.date) -> list[UpcomingDay]:
    """Public holidays, make-up workdays and the agency's own closures or changed hours ahead."""
    end = today + dt.timedelta(days=UPCOMING_DAYS)
    specials: list[SpecialDay] = [day for day in agency.special_days.all() if today <= day.date <= end]
    special_dates = {day.date for day in specials}
    hours = list(agency.office_hours.all())
    days: list[UpcomingDay] = []
    calendar_day: CalendarDay
    # Weekend days inside a holiday block are listed too: the whole block is closed for the holiday.
    for calendar_day in calendar.special_days(today, end, with_block_weekends=True):
        if calendar_day.date in special_dates:
            continue
        name = _pick(calendar_day.name, calendar_day.name_zh)
        if calendar_day.kind == "weekend" and day_schedule(hours, [], calendar, calendar_day.date).intervals:
            continue  # a bureau that keeps weekend hours keeps them (its own rules say so)
        if calendar_day.kind in {"holiday", "weekend"}:
            days.append(UpcomingDay(calendar_day.date, format_date(calendar_day.date), "holiday", name))
        else:
            intervals = day_schedule(hours, [], calendar, calendar_day.date).intervals if hours else ()
            days.append(UpcomingDay(calendar_day.date, format_date(calendar_day.date), "workday", name, intervals))
    for special_day in specials:
        name = _pick(special_day.reason, special_day.reason_zh)
        if special_day.kind == SpecialDay.Kind.CLOSED:
            days.append(UpcomingDay(special_day.date, format_date(special_day.date), "closure", name))
        else:
            schedule = day_schedule(hours, specials, calendar, special_day.date)
            if not any(day.date == special_day.date for day in days):
                days.append(UpcomingDay(special_day.date, format_date(special_day.date), "hours", name,
                                        schedule.intervals))
    return sorted(days, key=lambda day: day.date)
