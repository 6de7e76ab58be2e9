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

The weekly rules (steps 2–4) are answered per distinct set of rules, not per agency: each agency row
carries `weekly_hours`, its rules as text, which triggers in the database keep equal to its office-hours
rows on every write (admin, imports, bulk writes, raw SQL). Bureaus mostly keep the same hours, so the
few distinct sets are decided by `day_schedule` itself — the one function — and the database only
checks `weekly_hours IN (the open sets)`: a count over 100,000 agencies is a scan of one column, not
100,000 probes of their rules. Special days (step 1) stay correlated EXISTS on the agency's own rows.
Above MAX_RULE_SETS distinct sets, the weekly rules are asked in SQL too (correlated EXISTS)."""
from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.db import connections
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from agencies.hours import Calendar, OfficeStatus, day_schedule, office_status
from agencies.models import Agency, OfficeHours, SpecialDay
from agencies.triggers import execute_triggers
from freshness import memo

MAX_RULE_SETS = 2_000  # distinct weekly rule sets nationally before the IN list gives way to EXISTS


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


# ---- the weekly rules as one text per agency, kept by the database ------------------------------------

def rules_of(weekly_hours: str) -> list[OfficeHours]:
    """The rules a `weekly_hours` text stands for (unsaved rows, as `day_schedule` reads them)."""
    rules = []
    for text in filter(None, weekly_hours.split(";")):
        weekdays, opens, closes, valid_from, valid_through = text.split(",")
        rules.append(OfficeHours(weekdays=weekdays, opens=dt.time.fromisoformat(opens),
                                 closes=dt.time.fromisoformat(closes), valid_from=valid_from,
                                 valid_through=valid_through))
    return rules


@functools.lru_cache(maxsize=1024)
def _rules_of_text(weekly_hours: str) -> tuple[OfficeHours, ...]:
    return tuple(rules_of(weekly_hours))  # keyed by the text itself: nothing to go stale


def listed_status(agency: Agency, at: dt.datetime, calendar: Calendar) -> OfficeStatus:
    """`office_status` of an agency in a list (search results, a region's bureaus), from its own
    `weekly_hours` and its special days (`with_listing`'s `listing_special_days`): a page of agencies
    needs no query for their rules, and the few distinct rule sets are parsed once per process."""
    return office_status(hours=_rules_of_text(agency.weekly_hours), special_days=agency.listing_special_days,
                         calendar=calendar, at=at, timezone=agency.timezone)


def is_open_by_rules(rules: list[OfficeHours], day: dt.date, moment: dt.time, calendar: Calendar) -> bool:
    """The weekly rules alone (no special day), decided by the one function."""
    schedule = day_schedule(rules, (), calendar, day)
    return any(interval.opens <= moment < interval.closes for interval in schedule.intervals)


def rule_sets() -> dict[str, list[str]]:
    """Every distinct `weekly_hours` text by time zone, read once per content version."""
    def compute() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for zone, text in Agency.objects.order_by().values_list("timezone", "weekly_hours").distinct():
            found.setdefault(zone, []).append(text)
        return found

    return memo.remember("opening:rule-sets", compute)


def _weekly_open(zone_sets: list[str] | None, day: dt.date, moment: dt.time, calendar: Calendar) -> Q:
    if zone_sets is None or len(zone_sets) > MAX_RULE_SETS:
        return _weekly_open_in_sql(day, moment, calendar)
    return Q(weekly_hours__in=[text for text in zone_sets
                               if text and is_open_by_rules(rules_of(text), day, moment, calendar)])


def _weekly_open_in_sql(day: dt.date, moment: dt.time, calendar: Calendar) -> Q:
    """The same question in SQL, agency by agency: for very many distinct rule sets."""
    kind = calendar.day(day).kind
    if kind == "holiday":
        return Q(pk__in=[])
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
    return by_rules


def open_condition(day: dt.date, moment: dt.time, calendar: Calendar, zone_sets: list[str] | None = None) -> Q:
    """Agencies open at local `moment` on local `day` (for agencies of one time zone, whose distinct
    `weekly_hours` texts are `zone_sets`; None: ask the weekly rules in SQL)."""
    specials = SpecialDay.objects.filter(date=day)
    # Most days no agency has a special day: then the answer is the weekly rules alone.
    if not specials.exists():
        return _weekly_open(zone_sets, day, moment, calendar)
    special_open = Q(_has(specials.filter(kind=SpecialDay.Kind.HOURS, opens__lte=moment, closes__gt=moment))) & ~Q(
        _has(specials.filter(kind=SpecialDay.Kind.CLOSED)))
    return special_open | (_weekly_open(zone_sets, day, moment, calendar) & ~Q(_has(specials)))


def open_at(queryset: QuerySet, at: dt.datetime, calendar: Calendar | None = None) -> QuerySet:
    """Narrow `queryset` (of agencies) to those open at the aware instant `at`, each in its own zone."""
    calendar = calendar or Calendar.load()
    sets = rule_sets()
    condition = Q(pk__in=[])
    for zone in sorted(sets):
        local = at.astimezone(zoneinfo.ZoneInfo(zone))
        condition |= Q(timezone=zone) & open_condition(
            local.date(), local.time().replace(tzinfo=None), calendar, sets[zone])
    return queryset.filter(condition)


# ---- the triggers that keep `weekly_hours` -------------------------------------------------------------
# The text of one agency's rules, sorted: "weekdays,opens,closes,valid_from,valid_through;…". Triggers
# see every write (bulk, raw SQL, a cascade), and a stale `Agency.save()` is put right by the agency's own
# trigger, so no Python write path has to remember it.

def _rule_text(vendor: str) -> str:
    if vendor == "postgresql":
        return "weekdays || ',' || opens::text || ',' || closes::text || ',' || valid_from || ',' || valid_through"
    return "weekdays || ',' || opens || ',' || closes || ',' || valid_from || ',' || valid_through"


def weekly_hours_sql(vendor: str, agency_id: str) -> str:
    """An SQL expression: the `weekly_hours` text of the agency whose id is the expression `agency_id`."""
    rule = _rule_text(vendor)
    if vendor == "postgresql":
        return (f"coalesce((SELECT string_agg({rule}, ';' ORDER BY {rule}) FROM agencies_officehours "
                f"WHERE agency_id = {agency_id}), '')")
    return (f"coalesce((SELECT group_concat(rule, ';') FROM (SELECT {rule} AS rule FROM agencies_officehours "
            f"WHERE agency_id = {agency_id} ORDER BY rule)), '')")


POSTGRES_TRIGGERS = """
CREATE OR REPLACE FUNCTION agencies_weekly_hours_of(agency bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT {of_agency}
$$;
CREATE OR REPLACE FUNCTION agencies_weekly_hours_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE agencies_agency SET weekly_hours = agencies_weekly_hours_of(id)
        WHERE id IN (SELECT agency_id FROM new_rows);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE agencies_agency SET weekly_hours = agencies_weekly_hours_of(id)
        WHERE id IN (SELECT agency_id FROM old_rows);
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION agencies_weekly_hours_agency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.weekly_hours := agencies_weekly_hours_of(NEW.id);
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS agencies_weekly_hours_insert ON agencies_officehours;
DROP TRIGGER IF EXISTS agencies_weekly_hours_update ON agencies_officehours;
DROP TRIGGER IF EXISTS agencies_weekly_hours_delete ON agencies_officehours;
DROP TRIGGER IF EXISTS agencies_weekly_hours_agency ON agencies_agency;
CREATE TRIGGER agencies_weekly_hours_insert AFTER INSERT ON agencies_officehours
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agencies_weekly_hours_rules();
CREATE TRIGGER agencies_weekly_hours_update AFTER UPDATE ON agencies_officehours
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION agencies_weekly_hours_rules();
CREATE TRIGGER agencies_weekly_hours_delete AFTER DELETE ON agencies_officehours
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agencies_weekly_hours_rules();
CREATE TRIGGER agencies_weekly_hours_agency BEFORE UPDATE ON agencies_agency
    FOR EACH ROW EXECUTE FUNCTION agencies_weekly_hours_agency();
"""


def _sqlite_triggers() -> list[str]:
    def of(agency_id: str) -> str:
        return weekly_hours_sql("sqlite", agency_id)

    def keep(agency_id: str) -> str:
        return f"UPDATE agencies_agency SET weekly_hours = {of(agency_id)} WHERE id = {agency_id};"

    statements = []
    for name, event, body in (
        ("insert", "INSERT", keep("NEW.agency_id")),
        ("update", "UPDATE", keep("OLD.agency_id") + " " + keep("NEW.agency_id")),
        ("delete", "DELETE", keep("OLD.agency_id")),
    ):
        statements += [f"DROP TRIGGER IF EXISTS agencies_weekly_hours_{name}",
                       f"CREATE TRIGGER agencies_weekly_hours_{name} AFTER {event} ON agencies_officehours "
                       f"BEGIN {body} END"]
    # SQLite cannot change NEW before an update: it corrects the row after, only when it was stale
    # (its recursive triggers are off, so this does not fire itself).
    statements += ["DROP TRIGGER IF EXISTS agencies_weekly_hours_agency",
                   "CREATE TRIGGER agencies_weekly_hours_agency AFTER UPDATE ON agencies_agency "
                   f"WHEN NEW.weekly_hours IS NOT {of('NEW.id')} BEGIN {keep('NEW.id')} END"]
    return statements


def install_triggers(sender=None, using: str = "default", **kwargs) -> None:
    """(Re)create the triggers; idempotent, run after each `migrate` (SQLite drops a table's triggers
    when a migration rebuilds it)."""
    if sender is not None and getattr(sender, "label", None) != "agencies":
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if not {"agencies_agency", "agencies_officehours"} <= tables:
            return
        columns = {column.name for column in connection.introspection.get_table_description(cursor, "agencies_agency")}
        if "weekly_hours" not in columns:
            return  # migrating to an older state
        execute_triggers(cursor, connection.vendor, "weekly-hours",
                         postgresql=POSTGRES_TRIGGERS.replace("{of_agency}", weekly_hours_sql("postgresql", "agency")),
                         sqlite=_sqlite_triggers())


def refresh_weekly_hours(using: str = "default") -> None:
    """Recompute every agency's `weekly_hours` (the migration that adds it; triggers keep it after)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        text = weekly_hours_sql(connection.vendor, "agencies_agency.id")
        cursor.execute(f"UPDATE agencies_agency SET weekly_hours = {text}")
