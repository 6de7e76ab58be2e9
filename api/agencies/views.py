"""Views of the agencies API: thin viewsets over `.published()`, prefetching in one place."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import zoneinfo
from pathlib import Path

import holidays
from django.conf import settings
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.hours import Calendar, agency_status, status_holds_until
from agencies.models import Agency, Region, match_prefetches
from api.agencies.serializers import (
    ERRORS,
    SLUG,
    AgencyDetailSerializer,
    AgencyListSerializer,
    HolidayCalendarSerializer,
    HolidayQuerySerializer,
    RegionSerializer,
    StatusQuerySerializer,
    StatusSerializer,
    published_parent,
)
from api.caching import ConditionalGetMixin
from api.filters import DEFAULT_ZONE, AgencyFilter
from api.pagination import ApiPagination, SearchPagination
from api.params import DATETIME_PATTERN
from api.renderers import CSVRenderer, FormatParameterMixin, csv_lines
from api.throttling import AnonThrottle
from duties.models import profile_duties
from freshness import version as content_version
from freshness.memo import remember, store_answer, stored_answer


def agency_profile() -> QuerySet[Agency]:
    """A published agency as its profile shows it (`with_profile()`, its duties), and the agencies it
    supervises: one query per relation whatever the number of rows."""
    children = Agency.objects.published().order_by("name", "pk")
    return Agency.objects.published().with_profile().prefetch_related(
        Prefetch("children", queryset=children, to_attr="published_children"), profile_duties(),
    )


def status_rules(slug: str) -> Agency | None:
    """What the status answer needs of a published agency: its hours and special days."""
    return Agency.objects.published().prefetch_related("office_hours", "special_days").filter(slug=slug).first()


class SearchingFilterBackend(DjangoFilterBackend):
    """The shared FilterSet, keeping the search engine's answer (partial, suggestion) for the view."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            from django_filters import utils

            raise utils.translate_validation(filterset.errors)
        queryset = filterset.qs
        view.search_results = filterset.search_results
        view.narrowed = filterset.narrowed
        return queryset


MATCHES_PER_AGENCY = 5


CSV_COLUMNS = ["slug", "name", "name_zh", "level", "region_code", "region_name", "region_name_zh",
               "parent", "website", "address", "postcode", "last_verified", "updated_at", "url", "web_url"]


@extend_schema(tags=["agencies"])
class AgencyViewSet(FormatParameterMixin, ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """Published agencies: the list (JSON or CSV), whole profiles and open/closed status."""

    lookup_field = "slug"
    filterset_class = AgencyFilter
    filter_backends = [SearchingFilterBackend]
    pagination_class = SearchPagination
    throttle_classes = [AnonThrottle]
    search_results = None
    narrowed = True

    def get_queryset(self) -> QuerySet[Agency]:
        return Agency.objects.published()

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
        # open_now answers for the current minute; everything else only moves with the content.
        if (response := self.cached(clock="open_now" in request.query_params)):
            return response
        queryset = self.filter_queryset(self.get_queryset())
        # Joins are added after filtering, so the shared filters work on a plain queryset.
        related = ["region__parent", "seat", "parent"] if self.search_results else ["region", "parent"]
        queryset = queryset.select_related(*related).order_by(
            *(queryset.query.order_by or Agency._meta.ordering), "pk"
        )
        if request.accepted_renderer.format == "csv":
            return self.csv_response(queryset)
        # The page's ids first (one narrow query over the agencies table alone, ordered and counted
        # there), then those rows with their joins: sorting a thousand search matches, or 100,000
        # agencies by name, never drags the region and parent joins along.
        search = self.search_results
        ranked_ids = search.ranked_ids if search is not None else None
        # Every published agency (no filter): counted from the per-city tallies, not over the whole table.
        count = Agency.objects.published_count() if not self.narrowed and ranked_ids is None else None
        ids = self.paginate_queryset(queryset.values_list("pk", flat=True) if ranked_ids is None else ranked_ids,
                                     count=count)
        rows = Agency.objects.select_related(*related).in_bulk(ids)
        page = [rows[pk] for pk in ids]
        if search is not None:
            self.add_matches(page, search)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if search is not None:
            response.data["suggestion"] = search.suggestion.text if search.suggestion else None
            response.data["corrected"] = search.corrected
            response.data["partial"] = search.partial
            response.data["capped"] = search.capped
        return response

    @staticmethod
    def add_matches(page: list[Agency], search) -> None:
        """Why each agency of the page was found, from its names, places, contacts and duties."""
        from search.highlight import attach_duty_texts, match_reasons

        prefetch_related_objects(page, *match_prefetches())
        attach_duty_texts(page)
        for agency in page:
            agency.search_matches = match_reasons(agency, search.query, limit=MATCHES_PER_AGENCY)

    def paginate_queryset(self, queryset, count: int | None = None):
        return self.paginator.paginate_queryset(queryset, self.request, view=self, count=count)

    def csv_response(self, queryset: QuerySet[Agency]) -> StreamingHttpResponse:
        request = self.request

        def rows():
            for agency in queryset.iterator(chunk_size=2000):
                parent = published_parent(agency)
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
        if (response := self.cached()):
            return response
        agency = get_object_or_404(agency_profile(), slug=kwargs["slug"])
        return Response(self.get_serializer(agency).data)

    @extend_schema(
        summary="Open or closed at a moment",
        parameters=[SLUG, OpenApiParameter(
            "at", {"type": "string", "pattern": DATETIME_PATTERN}, required=False,
            description="ISO 8601 datetime to ask about (default: now), between 1970 and 2100; without an offset "
                        "it is read in Asia/Shanghai.",
        )],
        responses={200: StatusSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def status(self, request, slug: str):
        query = StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        explicit_at = query.validated_data.get("at")
        # A fixed moment is an answer like any other. "Now" is computed from the agency's rules and the
        # calendar (both from the shared cache) once, then kept until it next changes (`_status_now`).
        version = content_version.current()
        if explicit_at and (response := self.cached(version=version)):
            return response
        slug_key = hashlib.sha256(slug.encode()).hexdigest()
        if not explicit_at:
            return self._status_now(slug, slug_key, version)
        return Response(self._status_data(slug, slug_key, version, explicit_at)[0])

    def _status_data(self, slug: str, slug_key: str, version, at: dt.datetime):
        agency = remember(f"status-rules:{slug_key}", lambda: status_rules(slug), version=version)
        if agency is None:
            raise Http404
        calendar = remember("calendar", Calendar.load, version=version, local=True)
        status = agency_status(agency, at, calendar)
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
        return StatusSerializer(payload).data, status, agency

    def _status_now(self, slug: str, slug_key: str, version):
        """The answer for "now" reads the same until the bureau next opens or closes, or its midnight falls
        (`status_holds_until`): it is kept until then (the shared cache, and the worker's own copy), and
        only its `at`, the moment of asking, is filled per request. Its weak ETag ignores `at`, so a client
        is told "unchanged" until the answer changes; its Last-Modified is the moment of asking."""
        now = timezone.now()
        key = f"api:status-now:{version.key}:{slug_key}"
        keep = settings.FRESHNESS_CACHE_RESPONSES
        entry = stored_answer(key, lambda entry: now < entry[0]) if keep else None
        if entry is None:
            data, status, agency = self._status_data(slug, slug_key, version, now)
            until = status_holds_until(status)
            entry = (until, agency.updated_at, json.dumps(data).encode())
            if keep:
                timeout = min(settings.FRESHNESS_TIMEOUT, math.ceil((until - now).total_seconds()))
                store_answer(key, entry, max(1, timeout))
        _, updated_at, body = entry
        data = json.loads(body)
        data["at"] = now.astimezone(zoneinfo.ZoneInfo(data["timezone"])).isoformat()
        answer = sorted((name, value) for name, value in data.items() if name != "at")
        response = self.not_modified(answer, last_modified=max(updated_at, now), weak=True)
        return response or Response(data)


@extend_schema(tags=["regions"])
class RegionViewSet(FormatParameterMixin, ConditionalGetMixin, viewsets.GenericViewSet):
    """Administrative regions (GB/T 2260 codes): the values of the `region` filters."""

    queryset = Region.objects.select_related("parent").order_by("code")
    serializer_class = RegionSerializer
    pagination_class = ApiPagination
    filter_backends = []
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(summary="List regions", responses={200: RegionSerializer(many=True), **ERRORS})
    def list(self, request):
        if (response := self.cached()):
            return response
        page = self.paginator.paginate_queryset(self.get_queryset(), request, view=self)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _holidays_installed_at() -> dt.datetime:
    """When the installed `holidays` package was written: a change of its data is a change of ours."""
    stamp = Path(holidays.__file__).stat().st_mtime
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


@extend_schema(tags=["calendar"])
class HolidayView(FormatParameterMixin, ConditionalGetMixin, APIView):
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
        year = query.validated_data.get("year")
        # Without a year the answer is this year's: it turns over with the clock at new year.
        if (response := self.cached(clock=year is None, last_modified=_holidays_installed_at())):
            return response
        year = year or timezone.now().astimezone(DEFAULT_ZONE).year
        days = Calendar.load().special_days(dt.date(year, 1, 1), dt.date(year, 12, 31))
        payload = {
            "year": year,
            "results": [
                {"date": day.date, "kind": day.kind, "name": day.name, "name_zh": day.name_zh, "source": day.source}
                for day in days
            ],
        }
        return Response(HolidayCalendarSerializer(payload).data)
