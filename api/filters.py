"""The one FilterSet per list, shared by the public search page and the API."""
from __future__ import annotations

import json
import re
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
from search.engine import search_agencies

MAX_QUERY_LENGTH = 200
#: the duties `q` finds are those of this many best-matching bureaus
DUTY_SEARCH_AGENCIES = 500
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
    field_class = AwareDateTimeField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from api.params import DATETIME_PATTERN  # the API's documented form (no "format": one rule, the pattern)

        extend_schema_field({"type": "string", "pattern": DATETIME_PATTERN,
                             "description": str(self.extra.get("help_text", ""))})(self)


def pk_list(ids: list[int]) -> RawSQL:
    """A subquery over any number of ids in ONE query parameter (SQLite and PostgreSQL cap the
    number of parameters, which a plain `pk__in=[...]` of a national-scale result would exceed)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


#: what a natural key looks like, published in the API schema and checked before any lookup
REGION_CODE_PATTERN = r"^[0-9]{6}$"
SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,100}$"


class UnknownKey(str):
    """A well-formed natural key that names no record: the filter matches nothing (an empty list,
    as for any other filter that matches nothing), rather than a 400 for a value the schema allows."""

    pk = None

    @property
    def code(self) -> str:
        return str(self)

    slug = code


class NaturalKeyField(forms.ModelChoiceField):
    def __init__(self, *args, key_pattern: str, **kwargs):
        self.key_pattern = re.compile(key_pattern)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not self.key_pattern.match(value):
            raise ValidationError(_("Enter a value of the form %(pattern)s."), code="invalid",
                                  params={"pattern": self.key_pattern.pattern})
        try:
            return super().to_python(value)
        except ValidationError:
            return UnknownKey(value)

    def validate(self, value):
        if not isinstance(value, UnknownKey):
            super().validate(value)


class NaturalKeyFilter(django_filters.ModelChoiceFilter):
    """Chooses a record by its natural key (region code, category or agency slug)."""

    field_class = NaturalKeyField

    def __init__(self, *args, key_pattern: str = SLUG_PATTERN, **kwargs):
        super().__init__(*args, key_pattern=key_pattern, **kwargs)
        # Typed per instance: a class-wide schema annotation would drop each filter's help_text.
        extend_schema_field({"type": "string", "pattern": key_pattern,
                             "description": str(self.extra.get("help_text", ""))})(self)


class TextFilter(django_filters.CharFilter):
    """Free text, documented as what is accepted: up to MAX_QUERY_LENGTH characters and no NUL
    (PostgreSQL cannot hold one; it is refused with a 400 naming the parameter)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_length=MAX_QUERY_LENGTH, **kwargs)
        extend_schema_field({"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": "^[^\\x00]*$",
                             "description": str(self.extra.get("help_text", ""))})(self)


class StrictFilterSet(django_filters.FilterSet):
    def filter_queryset(self, queryset):
        if any(isinstance(value, UnknownKey) for value in self.form.cleaned_data.values()):
            return queryset.none()
        return super().filter_queryset(queryset)


class AgencyFilter(StrictFilterSet):
    q = TextFilter(
        method="filter_q", label=_("Search"),
        help_text=(
            "Words to find, in any order, anywhere in a bureau: names and other names (English or Chinese), "
            "region, parent region and seat city, address, postcode, contact values, duty texts. Every word "
            "must match; \"quoted words\" must stand side by side. English words match their other forms "
            "(fund, funds, funding); Chinese matches as written, with or without spaces (怀化, 温州科技局); "
            "科技/科学技术 and S&T/sci-tech/science and technology find each other; a phone number matches "
            "with or without area code, +86, dashes or brackets. Results come best first (names, then places, "
            "then duties) unless `ordering` is given. At most 200 characters."
        ),
    )
    region = NaturalKeyFilter(
        queryset=Region.objects.all(), to_field_name="code", method="filter_region", label=_("Region"),
        key_pattern=REGION_CODE_PATTERN,
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

    #: the engine's answer for `q` (partial matches, typo suggestion), once the queryset was filtered
    search_results = None
    #: whether any filter or `q` left out agencies, once the queryset was filtered (False: every
    #: published agency is there, and `Agency.objects.published_count()` counts them)
    narrowed = True

    def filter_queryset(self, queryset):
        """Every other filter first, then the text search (so "no bureau has all the words" and the
        ranking speak of the bureaus the filters allow), then `ordering`, which overrides relevance."""
        data = dict(self.form.cleaned_data)
        if any(isinstance(value, UnknownKey) for value in data.values()):
            return queryset.none()  # a well-formed key that names nothing matches nothing
        query, ordering = data.pop("q", ""), data.pop("ordering", None)
        narrowed = False
        for name, value in data.items():
            if value not in (None, "", [], ()) and value is not False:
                narrowed = True
            queryset = self.filters[name].filter(queryset, value)
        self.narrowed = narrowed or bool(query)
        if query:
            # Only the words: the best-ranked matches are the list (a common word lists its best 1,000).
            self.search_results = search_agencies(queryset, query, top_only=not narrowed and not ordering)
            queryset = self.search_results.queryset
        if ordering:
            if self.search_results is not None:
                self.search_results.by_relevance = False
            queryset = self.filters["ordering"].filter(queryset, ordering)
        return queryset

    def filter_q(self, queryset, name, value):
        return search_agencies(queryset, value).queryset

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


class DutyFilter(StrictFilterSet):
    q = TextFilter(
        method="filter_q",
        help_text=(
            "Words to find, analysed as the agencies' `q` is (stems, Chinese, synonyms): the duties, of the "
            f"{DUTY_SEARCH_AGENCIES} bureaus that match best, whose own text has at least one of the words."
        ),
    )
    category = NaturalKeyFilter(
        field_name="categories", queryset=DutyCategory.objects.all(), to_field_name="slug",
        help_text="Duty category slug: duties that carry it (among others).",
    )
    agency = NaturalKeyFilter(
        queryset=Agency.objects.published(), to_field_name="slug", help_text="Agency slug."
    )
    region = NaturalKeyFilter(
        queryset=Region.objects.all(), to_field_name="code", method="filter_region", key_pattern=REGION_CODE_PATTERN,
        help_text="Six-digit region code; includes every region below it.",
    )

    class Meta:
        model = Duty
        fields = ["q", "category", "agency", "region"]

    def filter_region(self, queryset, name, region):
        if not region:
            return queryset
        return queryset.filter(agency__in=Agency.objects.in_region(region))

    def filter_q(self, queryset, name, value):
        if not value:
            return queryset
        from search.highlight import contains  # the engine's own matching, as the site highlights it

        results = search_agencies(Agency.objects.published(), value)
        agencies = list(results.queryset.values_list("pk", flat=True)[:DUTY_SEARCH_AGENCIES])
        phrases = results.query.phrases
        candidates = queryset.filter(agency__in=pk_list(agencies)).values_list("pk", "text")
        return queryset.filter(pk__in=pk_list([pk for pk, text in candidates if contains(text, phrases)]))
