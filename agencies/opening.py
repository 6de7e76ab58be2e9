""""Which agencies are open at this instant?" answered by the database, for national-scale lists.

`agencies/hours.py`'s `office_status` stays the one answer for one agency; this module asks the same
question of every agency at once, in SQL over the same rows, and a property test
(tests/agencies/test_opening.py) holds the two to the same answer for random agencies and instants
across seasons, holidays, make-up workdays and special days. Each step mirrors `day_schedule`:

1. a special day on the local date decides alone: open within one of its "changed hours" intervals,
   closed when the date is marked closed;
2. a public holiday (the national calendar, resolved once per date) closes everyone else;
3. a make-up workday keeps the hours of the agency's first weekday, Monday to Friday, that has rules
   in season;
4. any other day: the rules of that weekday whose season contains the date.

Nothing is loaded into Python: one condition per time zone in use, with correlated EXISTS on the
agency's own rows (index on agency_id): a page ordered by name stops after its 20th open agency instead
of first collecting every open one (at 10:00 on a weekday that is most of them)."""
from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from agencies.hours import Calendar
from agencies.models import OfficeHours, SpecialDay


def in_season(month_day: str) -> Q:
    """Rules whose season (MM-DD to MM-DD, possibly wrapping the year end; empty = all year) contains
    the day. MM-DD strings compare in calendar order."""
    within = Q(valid_from__lte=F("valid_through")) & Q(valid_from__lte=month_day, valid_through__gte=month_day)
    wrapping = Q(valid_from__gt=F("valid_through")) & (Q(valid_from__lte=month_day) | Q(valid_through__gte=month_day))
    return Q(valid_from="") | within | wrapping


def on_any_weekday(weekdays: range) -> Q:
    condition = Q(pk__in=[])
    for weekday in weekdays:
        condition |= Q(weekdays__contains=str(weekday))
    return condition


def _has(rows: QuerySet) -> Exists:
    """The agency has at least one of these rows."""
    return Exists(rows.filter(agency_id=OuterRef("pk")))


def open_condition(day: dt.date, moment: dt.time, calendar: Calendar) -> Q:
    """Agencies open at local `moment` on local `day` (for agencies of one time zone)."""
    specials = SpecialDay.objects.filter(date=day)
    # Most days no agency has a special day: then the answer is the weekly rules alone, one EXISTS
    # that PostgreSQL runs as a semi-join (OR-ed EXISTS it would probe row by row).
    any_special = specials.exists()
    special_open = Q(_has(specials.filter(kind=SpecialDay.Kind.HOURS, opens__lte=moment, closes__gt=moment))) & ~Q(
        _has(specials.filter(kind=SpecialDay.Kind.CLOSED))) if any_special else Q(pk__in=[])
    kind = calendar.day(day).kind
    if kind == "holiday":
        return special_open
    rules = OfficeHours.objects.filter(in_season(f"{day:%m-%d}"))
    covering = rules.filter(opens__lte=moment, closes__gt=moment)
    if kind == "workday":  # make-up workday: the first of Monday–Friday with rules in season
        by_rules = Q(pk__in=[])
        for weekday in range(1, 6):
            first = Q(_has(covering.filter(weekdays__contains=str(weekday))))
            if weekday > 1:
                first &= ~Q(_has(rules.filter(on_any_weekday(range(1, weekday)))))
            by_rules |= first
    else:
        by_rules = Q(_has(covering.filter(weekdays__contains=str(day.isoweekday()))))
    if not any_special:
        return by_rules
    return special_open | (by_rules & ~Q(_has(specials)))


def open_at(queryset: QuerySet, at: dt.datetime, calendar: Calendar | None = None) -> QuerySet:
    """Narrow `queryset` (of agencies) to those open at the aware instant `at`, each in its own zone."""
    calendar = calendar or Calendar.load()
    condition = Q(pk__in=[])
    for zone in sorted(set(queryset.order_by().values_list("timezone", flat=True).distinct())):
        local = at.astimezone(zoneinfo.ZoneInfo(zone))
        condition |= Q(timezone=zone) & open_condition(local.date(), local.time().replace(tzinfo=None), calendar)
    return queryset.filter(condition)
