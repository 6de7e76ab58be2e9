"""Integrator API v1 for agencies, regions and the national calendar (read-only, published records only)."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import holidays
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Max, Prefetch, QuerySet, prefetch_related_objects
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.filters import DEFAULT_ZONE, AgencyFilter, AwareDateTimeField
from agencies.hours import Calendar, agency_status
from agencies.models import Agency, AgencyName, Contact, OfficeHours, PublicHoliday, Region, Source, SpecialDay
from duties.models import Duty, DutyCategory
from portal.api_caching import ConditionalGetMixin
from portal.api_pagination import ApiPagination
from portal.api_renderers import CSVRenderer, csv_lines
from portal.api_throttling import AnonThrottle

# --- Serializers -------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Errors: {"detail": "..."} for 404/429, or {"<parameter>": ["message", ...]} for 400."""

    detail = serializers.CharField(required=False, help_text="What went wrong (404, 429).")


SLUG = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH,
    description="The agency's slug, e.g. gansu-department-of-science-and-technology.",
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter is invalid; the body maps it to messages."),
    404: OpenApiResponse(ErrorSerializer, description="No such published record (or page)."),
    406: OpenApiResponse(ErrorSerializer, description="The Accept header asks for a format not offered."),
    429: OpenApiResponse(ErrorSerializer, description="Rate limit reached; see the Retry-After header."),
}


class RegionBriefSerializer(serializers.ModelSerializer):
    code = serializers.CharField(help_text="Six-digit GB/T 2260 division code.")
    name = serializers.CharField(help_text="English name.")
    name_zh = serializers.CharField(help_text="Chinese name (may be empty).")
    level = serializers.ChoiceField(choices=Region.Level.choices, help_text="province, prefecture or county.")

    class Meta:
        model = Region
        fields = ["code", "name", "name_zh", "level"]


class RegionSerializer(RegionBriefSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Code of the region above, or null."
    )

    class Meta(RegionBriefSerializer.Meta):
        fields = [*RegionBriefSerializer.Meta.fields, "parent"]


class AgencyRefSerializer(serializers.ModelSerializer):
    """Just enough to name and link another agency."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:agency-detail", lookup_field="slug", help_text="This agency in the API."
    )
    slug = serializers.CharField(help_text="Stable identifier used in URLs.")
    name = serializers.CharField(help_text="Official English name.")
    name_zh = serializers.CharField(help_text="Official Chinese name.")

    class Meta:
        model = Agency
        fields = ["slug", "name", "name_zh", "url"]


def _published_parent(agency: Agency) -> Agency | None:
    parent = agency.parent
    return parent if parent is not None and parent.status == Agency.Status.PUBLISHED else None


class AgencyListSerializer(AgencyRefSerializer):
    level = serializers.ChoiceField(choices=Agency.Level.choices, help_text="Administrative level of the agency.")
    region = RegionBriefSerializer(help_text="Region the agency serves.")
    parent = serializers.SerializerMethodField(help_text="Slug of the supervising agency, or null.")
    web_url = serializers.SerializerMethodField(help_text="The agency's page on the public site.")
    last_verified = serializers.DateField(
        allow_null=True, help_text="When staff last checked the record against its source."
    )
    updated_at = serializers.DateTimeField(help_text="When the record last changed (UTC).")

    class Meta:
        model = Agency
        fields = ["slug", "name", "name_zh", "level", "region", "parent", "url", "web_url",
                  "last_verified", "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, agency: Agency) -> str | None:
        parent = _published_parent(agency)
        return parent.slug if parent else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, agency: Agency) -> str:
        return self.context["request"].build_absolute_uri(agency.get_absolute_url())


class RegionWithParentSerializer(RegionBriefSerializer):
    parent = RegionBriefSerializer(read_only=True, allow_null=True, help_text="The region above, or null.")

    class Meta(RegionBriefSerializer.Meta):
        fields = [*RegionBriefSerializer.Meta.fields, "parent"]


class OtherNameSerializer(serializers.ModelSerializer):
    name = serializers.CharField(help_text="English form of the other name.")
    name_zh = serializers.CharField(help_text="Chinese form (may be empty).")

    class Meta:
        model = AgencyName
        fields = ["name", "name_zh"]


class ContactSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Contact.Kind.choices, help_text="What the contact is for.")
    label = serializers.CharField(help_text="Label exactly as published.")
    value = serializers.CharField(help_text="Number, address or URL exactly as published.")
    e164 = serializers.SerializerMethodField(help_text="Phone number in E.164 form (+86…); null for non-phones.")

    class Meta:
        model = Contact
        fields = ["kind", "label", "value", "e164"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_e164(self, contact: Contact) -> str | None:
        return contact.e164 or None


class SeasonSerializer(serializers.Serializer):
    name = serializers.CharField(source="season_name", help_text="Season name as published, e.g. Summer.")
    name_zh = serializers.CharField(source="season_name_zh", help_text="Chinese season name (may be empty).")
    valid_from = serializers.CharField(help_text="First day, MM-DD.")
    valid_through = serializers.CharField(help_text="Last day, MM-DD (before valid_from when it wraps the year).")


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "08:30"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the agency's zone as HH:MM (not an RFC 3339 time, which needs an offset)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class OfficeHoursSerializer(serializers.ModelSerializer):
    weekdays = serializers.SerializerMethodField(help_text="ISO weekdays: 1 = Monday … 7 = Sunday.")
    opens = LocalTimeField(help_text="Local opening time, HH:MM.")
    closes = LocalTimeField(help_text="Local closing time, HH:MM.")
    season = serializers.SerializerMethodField(help_text="The season the rule applies in; null for all year.")

    class Meta:
        model = OfficeHours
        fields = ["weekdays", "opens", "closes", "season"]

    def get_weekdays(self, rule: OfficeHours) -> list[int]:
        return sorted(rule.weekday_set)

    @extend_schema_field(SeasonSerializer(allow_null=True))
    def get_season(self, rule: OfficeHours) -> dict | None:
        return SeasonSerializer(rule).data if rule.is_seasonal else None


class SpecialDaySerializer(serializers.ModelSerializer):
    date = serializers.DateField(help_text="Local date of the exception.")
    kind = serializers.ChoiceField(choices=SpecialDay.Kind.choices, help_text="closed, or changed hours.")
    opens = LocalTimeField(allow_null=True, help_text="Opening time for changed hours.")
    closes = LocalTimeField(allow_null=True, help_text="Closing time for changed hours.")
    reason = serializers.CharField(help_text="Why, as shown to citizens.")
    reason_zh = serializers.CharField(help_text="Why, in Chinese (may be empty).")

    class Meta:
        model = SpecialDay
        fields = ["date", "kind", "opens", "closes", "reason", "reason_zh"]


class CategoryBriefSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(help_text="Category identifier, usable as the category filter.")
    name = serializers.CharField(help_text="English name.")
    name_zh = serializers.CharField(help_text="Chinese name.")

    class Meta:
        model = DutyCategory
        fields = ["slug", "name", "name_zh"]


class SubDutySerializer(serializers.ModelSerializer):
    label = serializers.CharField(help_text="Label exactly as published: (1), 1., (iii).")
    position = serializers.IntegerField(help_text="Order as published, from 1.")
    text = serializers.CharField(help_text="Full text, verbatim.")
    category = CategoryBriefSerializer(help_text="Shared duty category.")

    class Meta:
        model = Duty
        fields = ["label", "position", "text", "category"]


class DutyTreeSerializer(SubDutySerializer):
    children = SubDutySerializer(many=True, read_only=True, help_text="Sub-items, in published order.")

    class Meta(SubDutySerializer.Meta):
        fields = [*SubDutySerializer.Meta.fields, "children"]


class SourceSerializer(serializers.ModelSerializer):
    title = serializers.CharField(help_text="Page title as published.")
    url = serializers.CharField(help_text="Address of the page (may be empty).")
    page_date = serializers.DateField(allow_null=True, help_text="The page's own date.")
    translator = serializers.CharField(help_text="Translator credit, where given.")
    retrieved_at = serializers.DateField(allow_null=True, help_text="When the page was retrieved.")

    class Meta:
        model = Source
        fields = ["title", "url", "page_date", "translator", "retrieved_at"]


class AgencyDetailSerializer(AgencyListSerializer):
    other_names = OtherNameSerializer(many=True, read_only=True, help_text="Other names the agency also serves as.")
    region = RegionWithParentSerializer(help_text="Region the agency serves, with the region above it.")
    seat = RegionBriefSerializer(allow_null=True, help_text="City where the agency sits, if given.")
    parent = serializers.SerializerMethodField(help_text="The supervising agency, or null.")
    children = AgencyRefSerializer(
        source="published_children", many=True, read_only=True, help_text="Agencies it supervises."
    )
    rank = serializers.CharField(help_text="Administrative rank where published.")
    description = serializers.CharField(help_text="Short description, verbatim from the source.")
    address = serializers.CharField(help_text="Address exactly as published.")
    postcode = serializers.CharField(help_text="Six-digit postcode (may be empty).")
    website = serializers.CharField(help_text="Official website as published (may be empty).")
    timezone = serializers.CharField(help_text="IANA time zone of the office hours.")
    contacts = ContactSerializer(many=True, read_only=True, help_text="Telephones, fax, email, websites.")
    office_hours = OfficeHoursSerializer(many=True, read_only=True, help_text="Weekly opening rules with seasons.")
    hours_notes = serializers.CharField(help_text="How the published hours were interpreted.")
    special_days = SpecialDaySerializer(many=True, read_only=True, help_text="The agency's own exceptions.")
    duties = DutyTreeSerializer(
        source="top_duties", many=True, read_only=True, help_text="Numbered duties with sub-items."
    )
    sources = SourceSerializer(many=True, read_only=True, help_text="Where the record came from.")
    status_url = serializers.HyperlinkedIdentityField(
        view_name="api:agency-status", lookup_field="slug", help_text="Open/closed status of this agency."
    )

    class Meta:
        model = Agency
        fields = [
            "slug", "name", "name_zh", "other_names", "level", "region", "seat", "parent", "children",
            "rank", "description", "address", "postcode", "website", "timezone", "contacts", "office_hours",
            "hours_notes", "special_days", "duties", "sources", "last_verified", "updated_at",
            "url", "web_url", "status_url",
        ]

    @extend_schema_field(AgencyRefSerializer(allow_null=True))
    def get_parent(self, agency: Agency) -> dict | None:
        parent = _published_parent(agency)
        return AgencyRefSerializer(parent, context=self.context).data if parent else None


class StatusSerializer(serializers.Serializer):
    open = serializers.BooleanField(allow_null=True, help_text="true or false; null when no hours are published.")
    reason = serializers.CharField(
        help_text="regular, makeup_workday, special_hours (while open); before_opening, lunch_break, after_hours, "
        "weekend, public_holiday, special_closure, no_hours (while closed); not_published (unknown)."
    )
    detail = serializers.CharField(help_text="Holiday name or special-day reason, if any.")
    detail_zh = serializers.CharField(help_text="The same in Chinese, if any.")
    season = serializers.CharField(help_text="Season whose hours apply today, if seasonal.")
    at = serializers.DateTimeField(help_text="The moment asked about, in the agency's zone.")
    next_change = serializers.DateTimeField(
        allow_null=True, help_text="When it next opens or closes, in the agency's zone; null if not within 400 days."
    )
    timezone = serializers.CharField(help_text="IANA time zone of the agency.")


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeParam(serializers.Field):
    """ISO 8601 datetime query parameter, parsed exactly as the public site's filters parse it."""

    def to_internal_value(self, data):
        try:
            return AwareDateTimeField().clean(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class StatusQuerySerializer(serializers.Serializer):
    at = AwareDateTimeParam(
        required=False,
        help_text="ISO 8601 datetime to ask about (default: now); without an offset it is read in Asia/Shanghai.",
    )


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The date.")
    kind = serializers.ChoiceField(
        choices=[("holiday", "Public holiday"), ("workday", "Make-up workday")],
        help_text="holiday (offices closed) or workday (a weekend day worked to make up for a holiday).",
    )
    name = serializers.CharField(help_text="English name.")
    name_zh = serializers.CharField(help_text="Chinese name.")
    source = serializers.ChoiceField(
        choices=[("package", "holidays package"), ("staff", "staff entry")],
        help_text="package (the `holidays` library) or staff (an entry overriding or adding to it).",
    )


class HolidayCalendarSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="The year listed.")
    results = CalendarDaySerializer(many=True, help_text="Holidays and make-up workdays in date order.")


class HolidayQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=1950, max_value=2100, help_text="Year to list (default: this year in China)."
    )


# --- Views -------------------------------------------------------------------------------------


def agency_profile_prefetches() -> list:
    """Everything the profile shows, one query per relation whatever the number of rows."""
    sub_duties = Duty.objects.select_related("category").order_by("position")
    return [
        "other_names",
        "contacts",
        "office_hours",
        "special_days",
        "sources",
        Prefetch("children", queryset=Agency.objects.published().order_by("name", "pk"), to_attr="published_children"),
        Prefetch(
            "duties",
            queryset=Duty.objects.top_level().select_related("category").order_by("position")
            .prefetch_related(Prefetch("children", queryset=sub_duties)),
            to_attr="top_duties",
        ),
    ]


CSV_COLUMNS = ["slug", "name", "name_zh", "level", "region_code", "region_name", "region_name_zh",
               "parent", "website", "address", "postcode", "last_verified", "updated_at", "url", "web_url"]


@extend_schema(tags=["agencies"])
class AgencyViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """Published agencies: the list (JSON or CSV), whole profiles and open/closed status."""

    lookup_field = "slug"
    filterset_class = AgencyFilter
    pagination_class = ApiPagination
    throttle_classes = [AnonThrottle]

    def get_queryset(self) -> QuerySet[Agency]:
        queryset = Agency.objects.published()
        if self.action == "retrieve":
            queryset = queryset.select_related("region__parent", "seat", "parent")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AgencyDetailSerializer
        if self.action == "status":
            return StatusSerializer
        return AgencyListSerializer

    def get_renderers(self):
        if self.action == "list":
            return [JSONRenderer(), CSVRenderer()]
        return [JSONRenderer()]

    def handle_exception(self, exc):
        # Errors are JSON even when the client asked for CSV.
        if getattr(self.request, "accepted_renderer", None) is not None:
            self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)

    @extend_schema(
        summary="List published agencies",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"],
                                     description="csv: every matching agency (no paging) for spreadsheets.")],
        responses={200: AgencyListSerializer(many=True), **ERRORS},
    )
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        # Joins only after filtering: the open_at filter defers every column but the zone.
        queryset = queryset.select_related("region", "parent").order_by(
            *(queryset.query.order_by or Agency._meta.ordering), "pk"
        )
        summary = queryset.aggregate(count=Count("pk"), latest=Max("updated_at"))
        if (response := self.not_modified(summary["count"], summary["latest"], last_modified=summary["latest"])):
            return response
        if request.accepted_renderer.format == "csv":
            return self.csv_response(queryset)
        page = self.paginate_queryset(queryset, count=summary["count"])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def paginate_queryset(self, queryset, count: int | None = None):
        return self.paginator.paginate_queryset(queryset, self.request, view=self, count=count)

    def csv_response(self, queryset: QuerySet[Agency]) -> StreamingHttpResponse:
        request = self.request

        def rows():
            for agency in queryset.iterator(chunk_size=2000):
                parent = _published_parent(agency)
                yield [
                    agency.slug, agency.name, agency.name_zh, agency.level, agency.region.code,
                    agency.region.name, agency.region.name_zh, parent.slug if parent else "", agency.website,
                    agency.address, agency.postcode, agency.last_verified, agency.updated_at.isoformat(),
                    request.build_absolute_uri(f"{request.path}{agency.slug}/"),
                    request.build_absolute_uri(agency.get_absolute_url()),
                ]

        response = StreamingHttpResponse(csv_lines(CSV_COLUMNS, rows()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="agencies.csv"'
        return response

    @extend_schema(
        summary="One agency's whole profile", parameters=[SLUG], responses={200: AgencyDetailSerializer, **ERRORS}
    )
    def retrieve(self, request, *args, **kwargs):
        agency = get_object_or_404(self.get_queryset(), slug=kwargs["slug"])
        # The profile also shows the parent and children: their changes must change the ETag too.
        family = Agency.objects.published().filter(parent_id=agency.pk).aggregate(
            count=Count("pk"), latest=Max("updated_at")
        )
        latest = max(filter(None, [agency.updated_at, family["latest"]]))
        parent = _published_parent(agency)
        if parent is not None:
            latest = max(latest, parent.updated_at)
        if (response := self.not_modified(agency.pk, latest, family["count"], last_modified=latest)):
            return response
        prefetch_related_objects([agency], *agency_profile_prefetches())
        return Response(self.get_serializer(agency).data)

    @extend_schema(
        summary="Open or closed at a moment",
        parameters=[SLUG, StatusQuerySerializer],
        responses={200: StatusSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def status(self, request, slug: str):
        query = StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        agency = get_object_or_404(
            Agency.objects.published().prefetch_related("office_hours", "special_days"), slug=slug
        )
        explicit_at = query.validated_data.get("at")
        status = agency_status(agency, explicit_at or timezone.now(), Calendar.load())
        payload = {
            "open": status.is_open,
            "reason": status.reason,
            "detail": status.detail,
            "detail_zh": status.detail_zh,
            "season": status.season,
            "at": status.at.isoformat(),
            "next_change": status.next_change.isoformat() if status.next_change else None,
            "timezone": status.timezone,
        }
        # A fixed moment changes only with the agency's record (staff holiday entries reach the ETag
        # through the payload). "Now" moves with the clock: its Last-Modified is the moment of asking,
        # and its weak ETag ignores `at`, so a client is told "unchanged" until the answer changes.
        if explicit_at:
            response = self.not_modified(sorted(payload.items()), last_modified=agency.updated_at)
        else:
            answer = sorted((key, value) for key, value in payload.items() if key != "at")
            response = self.not_modified(answer, last_modified=max(agency.updated_at, timezone.now()), weak=True)
        if response is not None:
            return response
        return Response(StatusSerializer(payload).data)


@extend_schema(tags=["regions"])
class RegionViewSet(ConditionalGetMixin, viewsets.GenericViewSet):
    """Administrative regions (GB/T 2260 codes): the values of the `region` filters."""

    queryset = Region.objects.select_related("parent").order_by("code")
    serializer_class = RegionSerializer
    pagination_class = ApiPagination
    filter_backends = []
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(summary="List regions", responses={200: RegionSerializer(many=True), **ERRORS})
    def list(self, request):
        queryset = self.get_queryset()
        page = self.paginator.paginate_queryset(queryset, request, view=self)
        # Regions carry no time stamp: the page's own rows are the fingerprint, history the date.
        rows = [(r.code, r.name, r.name_zh, r.level, r.parent_id) for r in page]
        last_modified = Region.history.aggregate(latest=Max("history_date"))["latest"]
        if (response := self.not_modified(self.paginator.page.paginator.count, rows, last_modified=last_modified)):
            return response
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _holidays_installed_at() -> dt.datetime:
    """When the installed `holidays` package was written: a change of its data is a change of ours."""
    stamp = Path(holidays.__file__).stat().st_mtime
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


@extend_schema(tags=["calendar"])
class HolidayView(ConditionalGetMixin, APIView):
    """China's national calendar for a year: public holidays and make-up workdays, from the `holidays`
    package merged with staff entries that override or extend it."""

    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Public holidays and make-up workdays of a year",
        parameters=[HolidayQuerySerializer],
        responses={200: HolidayCalendarSerializer, **ERRORS},
    )
    def get(self, request):
        query = HolidayQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.now().astimezone(DEFAULT_ZONE).year
        overrides = list(PublicHoliday.objects.all())
        days = Calendar(overrides).special_days(dt.date(year, 1, 1), dt.date(year, 12, 31))
        payload = {
            "year": year,
            "results": [
                {"date": day.date, "kind": day.kind, "name": day.name, "name_zh": day.name_zh, "source": day.source}
                for day in days
            ],
        }
        staff_edit = PublicHoliday.history.aggregate(latest=Max("history_date"))["latest"]
        last_modified = max(filter(None, [staff_edit, _holidays_installed_at()]))
        fingerprint = hashlib.sha256(repr(payload).encode()).hexdigest()
        if (response := self.not_modified(holidays.__version__, fingerprint, last_modified=last_modified)):
            return response
        return Response(HolidayCalendarSerializer(payload).data)
