"""schema.org JSON-LD for a profile: GovernmentOrganization with address, contact points and hours."""
from __future__ import annotations

import datetime as dt
import json

from django.utils.safestring import SafeString, mark_safe

from agencies.hours import Calendar, day_schedule
from agencies.models import Agency, Contact, OfficeHours, parse_month_day
from portal.status import UPCOMING_DAYS

SCHEMA_DAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}


def season_dates(rule: OfficeHours, today: dt.date) -> tuple[dt.date, dt.date]:
    """The concrete dates of the season occurrence that contains today or comes next."""
    start_month, start_day = parse_month_day(rule.valid_from)
    end_month, end_day = parse_month_day(rule.valid_through)

    def make(year: int, month: int, day: int) -> dt.date:
        return dt.date(year, month, 28 if (month, day) == (2, 29) and year % 4 else day)

    for year in (today.year - 1, today.year, today.year + 1):
        start = make(year, start_month, start_day)
        end = make(year + (1 if (end_month, end_day) < (start_month, start_day) else 0), end_month, end_day)
        if end >= today:
            return start, end
    raise AssertionError("unreachable: a season recurs every year")


def opening_hours(agency: Agency, calendar: Calendar, today: dt.date) -> tuple[list[dict], list[dict]]:
    regular = []
    for rule in agency.office_hours.all():
        spec = {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [SCHEMA_DAYS[day] for day in sorted(rule.weekday_set)],
            "opens": rule.opens.strftime("%H:%M"),
            "closes": rule.closes.strftime("%H:%M"),
        }
        if rule.is_seasonal:
            start, end = season_dates(rule, today)
            spec.update(validFrom=start.isoformat(), validThrough=end.isoformat())
        regular.append(spec)
    special = []
    if regular:
        end = today + dt.timedelta(days=UPCOMING_DAYS)
        # schema.org marks a closed day with opens = closes = 00:00.
        hours = list(agency.office_hours.all())
        for day in calendar.special_days(today, end):
            if day.kind == "holiday":
                special.append(_special(day.date, "00:00", "00:00"))
            else:  # a make-up workday: the bureau keeps ordinary weekday hours on a weekend date
                for interval in day_schedule(hours, [], calendar, day.date).intervals:
                    special.append(_special(day.date, f"{interval.opens:%H:%M}", f"{interval.closes:%H:%M}"))
        for special_day in agency.special_days.all():
            if today <= special_day.date <= end:
                opens = f"{special_day.opens:%H:%M}" if special_day.opens else "00:00"
                closes = f"{special_day.closes:%H:%M}" if special_day.closes else "00:00"
                special.append(_special(special_day.date, opens, closes))
    return regular, special


def _special(date: dt.date, opens: str, closes: str) -> dict:
    return {"@type": "OpeningHoursSpecification", "validFrom": date.isoformat(), "validThrough": date.isoformat(),
            "opens": opens, "closes": closes}


def agency_jsonld(agency: Agency, url: str, calendar: Calendar, today: dt.date) -> dict:
    data: dict = {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "@id": url,
        "url": url,
        "name": agency.name or agency.name_zh,
    }
    alternate = [agency.name_zh] if agency.name_zh and agency.name else []
    alternate += [name for other in agency.other_names.all() for name in (other.name, other.name_zh) if name]
    if alternate:
        data["alternateName"] = alternate
    if agency.website:
        data["sameAs"] = agency.website
    if agency.address or agency.postcode:
        region = agency.region
        province = region.ancestors()[0]
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": agency.address,
            "postalCode": agency.postcode,
            "addressLocality": (agency.seat or region).name,
            "addressRegion": province.name,
            "addressCountry": "CN",
        }
    contact_points = [
        {"@type": "ContactPoint", "telephone": contact.e164, "contactType": contact.label,
         **({"faxNumber": contact.e164} if contact.kind == Contact.Kind.FAX else {})}
        for contact in agency.contacts.all() if contact.is_phone and contact.e164
    ]
    if contact_points:
        data["contactPoint"] = contact_points
    emails = [contact.value for contact in agency.contacts.all() if contact.kind == Contact.Kind.EMAIL]
    if emails:
        data["email"] = emails[0]
    regular, special = opening_hours(agency, calendar, today)
    if regular:
        data["openingHoursSpecification"] = regular
    if special:
        data["specialOpeningHoursSpecification"] = special
    if agency.recorded_parent:  # never a draft, and only a link a source records
        data["parentOrganization"] = {"@type": "GovernmentOrganization", "name": agency.recorded_parent.name}
    return data


def as_script(data: dict) -> SafeString:
    """JSON safe to put inside <script>: no '<', '>' or '&' can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
