"""Serializers of the agencies API: the JSON shapes, each field described for the OpenAPI schema."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, AgencyName, Contact, OfficeHours, Region, Source, SpecialDay
from api.filters import AwareDateTimeField
from duties.models import Duty, DutyCategory


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


def published_parent(agency: Agency) -> Agency | None:
    """The supervising agency, unless it is a draft (a draft is never named publicly)."""
    return agency.published_parent


class MatchSerializer(serializers.Serializer):
    field = serializers.CharField(
        source="kind",
        help_text="Where the words were found: name, other_name, region, seat, address, postcode, contact or duty.",
    )
    label = serializers.CharField(source="field", help_text="That place as the site names it, e.g. 'Duty (3)'.")
    text = serializers.CharField(source="plain", help_text="The text (a snippet of a long duty), as published.")
    highlighted = serializers.CharField(
        source="text", help_text="The same text, HTML-escaped, with the matching words in <mark>…</mark>."
    )


class AgencyListSerializer(AgencyRefSerializer):
    level = serializers.ChoiceField(choices=Agency.Level.choices, help_text="Administrative level of the agency.")
    region = RegionBriefSerializer(help_text="Region the agency serves.")
    parent = serializers.SerializerMethodField(help_text="Slug of the supervising agency, or null.")
    web_url = serializers.SerializerMethodField(help_text="The agency's page on the public site.")
    last_verified = serializers.DateField(
        allow_null=True, help_text="When staff last checked the record against its source."
    )
    updated_at = serializers.DateTimeField(help_text="When the record last changed (UTC).")
    matches = serializers.SerializerMethodField(
        help_text="With `q`: why the agency was found (up to five places where the words are); else empty."
    )

    class Meta:
        model = Agency
        fields = ["slug", "name", "name_zh", "level", "region", "parent", "url", "web_url",
                  "last_verified", "updated_at", "matches"]

    @extend_schema_field(MatchSerializer(many=True))
    def get_matches(self, agency: Agency) -> list[dict]:
        # MatchSerializer's fields, without building a serializer per agency (half of a search page's
        # serialization time).
        return [{"field": match.kind, "label": str(match.field), "text": match.plain, "highlighted": str(match.text)}
                for match in getattr(agency, "search_matches", [])]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, agency: Agency) -> str | None:
        parent = published_parent(agency)
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


class DutyCategoriesMixin(serializers.Serializer):
    """A duty's categories, and (for clients written when a duty had one) the first of them."""

    categories = CategoryBriefSerializer(
        many=True, read_only=True,
        help_text="Every shared category the text speaks of, in vocabulary order; empty if not yet categorised.",
    )
    category = serializers.SerializerMethodField(
        help_text="Deprecated: the first of `categories`, or null. Kept for clients of the one-category API.",
    )

    @extend_schema_field(CategoryBriefSerializer(allow_null=True))
    def get_category(self, duty: Duty) -> dict | None:
        categories = duty.categories.all()  # prefetched: no query
        if not categories:
            return None
        # CategoryBriefSerializer's fields, without building a serializer per duty (a third of a
        # profile's serialization time).
        first = categories[0]
        return {"slug": first.slug, "name": first.name, "name_zh": first.name_zh}


class SubDutySerializer(DutyCategoriesMixin, serializers.ModelSerializer):
    label = serializers.CharField(help_text="Label exactly as published: (1), 1., (iii).")
    position = serializers.IntegerField(help_text="Order as published, from 1.")
    text = serializers.CharField(help_text="Full text, verbatim.")

    class Meta:
        model = Duty
        fields = ["label", "position", "text", "categories", "category"]


class DutyTreeSerializer(SubDutySerializer):
    children = SubDutySerializer(many=True, read_only=True, help_text="Sub-items, in published order.")

    class Meta(SubDutySerializer.Meta):
        fields = [*SubDutySerializer.Meta.fields, "children"]


class SourceSerializer(serializers.ModelSerializer):
    title = serializers.CharField(help_text="Page title as published.")
    url = serializers.CharField(help_text="The page's own address, where known (may be empty).")
    origin = serializers.CharField(
        help_text="The source line the page itself prints, as published (its publisher or origin; may be empty)."
    )
    page_date = serializers.DateField(allow_null=True, help_text="The page's own date.")
    translator = serializers.CharField(help_text="Translator credit, where given.")
    retrieved_at = serializers.DateField(allow_null=True, help_text="When the page was retrieved.")

    class Meta:
        model = Source
        fields = ["title", "url", "origin", "page_date", "translator", "retrieved_at"]


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
    parent_source = serializers.CharField(
        help_text="Where the supervising link is recorded (page and words); empty when none is. The public "
                  "profile names a supervising agency only where this is given."
    )
    hours_as_published = serializers.CharField(help_text="The office hours exactly as the page words them.")
    hours_notes = serializers.CharField(help_text="How the published hours were interpreted (English).")
    hours_notes_zh = serializers.CharField(help_text="The same note in Chinese (may be empty).")
    special_days = SpecialDaySerializer(many=True, read_only=True, help_text="The agency's own exceptions.")
    duties = DutyTreeSerializer(
        source="top_level_duties", many=True, read_only=True, help_text="Numbered duties with sub-items."
    )
    sources = SourceSerializer(many=True, read_only=True, help_text="Where the record came from.")
    status_url = serializers.HyperlinkedIdentityField(
        view_name="api:agency-status", lookup_field="slug", help_text="Open/closed status of this agency."
    )

    class Meta:
        model = Agency
        fields = [
            "slug", "name", "name_zh", "other_names", "level", "region", "seat", "parent", "parent_source", "children",
            "rank", "description", "address", "postcode", "website", "timezone", "contacts", "office_hours",
            "hours_as_published", "hours_notes", "hours_notes_zh", "special_days", "duties", "sources",
            "last_verified", "updated_at",
            "url", "web_url", "status_url",
        ]

    @extend_schema_field(AgencyRefSerializer(allow_null=True))
    def get_parent(self, agency: Agency) -> dict | None:
        parent = published_parent(agency)
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
