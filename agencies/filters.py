"""The one FilterSet per list, shared by the public search page and the API."""
from __future__ import annotations

import json
import zoneinfo

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from agencies import opening
from agencies.models import Agency, Region
from duties.models import Duty, DutyCategory

MAX_QUERY_LENGTH = 200
DEFAULT_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


class AwareDateTimeField(forms.CharField):
    """ISO 8601 datetime; one without an offset is read in China Standard Time (Asia/Shanghai)."""

    default_error_messages = {
        "invalid": _("Enter an ISO 8601 date and time, e.g. 2026-10-10T09:00+08:00."),
        "out_of_range": _("Enter a date and time between the years %(min)s and %(max)s."),
    }
    # Far dates overflow when converted between zones or searched 400 days ahead (a 500, not a 400);
    # before 1970 Chinese zones used local mean time (+08:05:43), an offset ISO 8601 output cannot carry.
    min_year, max_year = 1970, 2100

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value.strip().replace(" ", "T", 1))
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not self.min_year <= parsed.year <= self.max_year:
            raise ValidationError(
                self.error_messages["out_of_range"], code="out_of_range",
                params={"min": self.min_year, "max": self.max_year},
            )
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=DEFAULT_ZONE)
        return parsed


class AwareDateTimeFilter(django_filters.IsoDateTimeFilter):
    # An IsoDateTimeFilter only so the API schema documents it as a date-time.
    field_class = AwareDateTimeField


def pk_list(ids: list[int]) -> RawSQL:
    """A subquery over any number of ids in ONE query parameter (SQLite and PostgreSQL cap the
    number of parameters, which a plain `pk__in=[...]` of a national-scale result would exceed)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


class NaturalKeyFilter(django_filters.ModelChoiceFilter):
    """Chooses a record by its natural key (region code, category or agency slug)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed per instance: a class-wide schema annotation would drop each filter's help_text.
        extend_schema_field({"type": "string", "description": str(self.extra.get("help_text", ""))})(self)


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", max_length=MAX_QUERY_LENGTH, label=_("Search"),
        help_text="Words in names (English or Chinese), other names, region names or duty texts.",
    )
    region = NaturalKeyFilter(
        queryset=Region.objects.all(), to_field_name="code", method="filter_region", label=_("Region"),
        help_text="Six-digit region code; includes every region below it.",
    )
    level = django_filters.ChoiceFilter(choices=Agency.Level.choices, label=_("Level"))
    category = NaturalKeyFilter(
        queryset=DutyCategory.objects.all(), to_field_name="slug", method="filter_category",
        label=_("Duty category"), help_text="Duty category slug: agencies with at least one duty in it.",
    )
    parent = NaturalKeyFilter(
        queryset=Agency.objects.published(), to_field_name="slug", label=_("Supervising agency"),
        help_text="Slug of the supervising agency.",
    )
    open_at = AwareDateTimeFilter(
        method="filter_open_at", label=_("Open at"),
        help_text="ISO 8601 datetime: only agencies open then (no offset means Asia/Shanghai).",
    )
    open_now = django_filters.BooleanFilter(method="filter_open_now", label=_("Open now"),
                                            widget=forms.CheckboxInput)
    modified_since = AwareDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Modified since"),
        help_text="ISO 8601 datetime: only agencies changed at or after it.",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("slug", "slug"), ("updated_at", "updated_at"), ("region__code", "region")),
        help_text="name, slug, updated_at or region; prefix with - to reverse.",
    )

    class Meta:
        model = Agency
        fields = ["q", "region", "level", "category", "parent", "open_at", "modified_since"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, region):
        return queryset.in_region(region) if region else queryset

    def filter_category(self, queryset, name, category):
        if not category:
            return queryset
        return queryset.filter(pk__in=Duty.objects.filter(categories=category).values("agency_id"))

    def filter_open_at(self, queryset, name, at):
        return opening.open_at(queryset, at) if at else queryset

    def filter_open_now(self, queryset, name, value):
        return opening.open_at(queryset, timezone.now()) if value else queryset


class DutyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="text", lookup_expr="icontains", max_length=MAX_QUERY_LENGTH,
                                  help_text="Words in the duty text.")
    category = NaturalKeyFilter(
        field_name="categories", queryset=DutyCategory.objects.all(), to_field_name="slug",
        help_text="Duty category slug: duties that carry it (among others).",
    )
    agency = NaturalKeyFilter(
        queryset=Agency.objects.published(), to_field_name="slug", help_text="Agency slug."
    )
    region = NaturalKeyFilter(
        queryset=Region.objects.all(), to_field_name="code", method="filter_region",
        help_text="Six-digit region code; includes every region below it.",
    )

    class Meta:
        model = Duty
        fields = ["q", "category", "agency", "region"]

    def filter_region(self, queryset, name, region):
        if not region:
            return queryset
        return queryset.filter(agency__in=Agency.objects.in_region(region))
