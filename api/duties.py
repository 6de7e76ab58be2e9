"""Integrator API v1 for duties and duty categories (published agencies only)."""
from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.renderers import JSONRenderer

from api.agencies import ERRORS, AgencyRefSerializer
from api.agencies.serializers import DutyCategoriesMixin
from api.caching import ConditionalGetMixin
from api.filters import DutyFilter
from api.pagination import ApiPagination
from api.renderers import FormatParameterMixin
from api.throttling import AnonThrottle
from duties.models import Duty, DutyCategory


class DutyParentSerializer(serializers.ModelSerializer):
    label = serializers.CharField(help_text="Label of the item this sub-item belongs to.")
    position = serializers.IntegerField(help_text="Position of that item.")

    class Meta:
        model = Duty
        fields = ["label", "position"]


class DutySerializer(DutyCategoriesMixin, serializers.ModelSerializer):
    agency = AgencyRefSerializer(help_text="The agency that publishes the duty.")
    label = serializers.CharField(help_text="Label exactly as published: (1), 1., (iii).")
    position = serializers.IntegerField(help_text="Order as published, from 1 (within its item for sub-items).")
    parent = DutyParentSerializer(allow_null=True, help_text="For a sub-item, the item it belongs to; else null.")
    text = serializers.CharField(help_text="Full text, verbatim.")

    class Meta:
        model = Duty
        fields = ["agency", "label", "position", "parent", "text", "categories", "category"]


class DutyCategorySerializer(serializers.ModelSerializer):
    slug = serializers.CharField(help_text="Category identifier, usable as the category filter.")
    name = serializers.CharField(help_text="English name.")
    name_zh = serializers.CharField(help_text="Chinese name.")
    description = serializers.CharField(help_text="What belongs in the category.")
    position = serializers.IntegerField(help_text="Order in lists.")

    class Meta:
        model = DutyCategory
        fields = ["slug", "name", "name_zh", "description", "position"]


@extend_schema(tags=["duties"])
class DutyViewSet(FormatParameterMixin, ConditionalGetMixin, viewsets.GenericViewSet):
    """Duties of published agencies, in published order."""

    filterset_class = DutyFilter
    serializer_class = DutySerializer
    pagination_class = ApiPagination
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[Duty]:
        return Duty.objects.published().select_related("agency", "parent").prefetch_related("categories").order_by(
            "agency__name", "agency_id", Coalesce("parent__position", "position"),
            F("parent_id").asc(nulls_first=True), "position",
        )

    @extend_schema(summary="List duties", responses={200: DutySerializer(many=True), **ERRORS})
    def list(self, request):
        if (response := self.cached()):
            return response
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginator.paginate_queryset(queryset, request, view=self)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["duties"])
class DutyCategoryViewSet(FormatParameterMixin, ConditionalGetMixin, viewsets.GenericViewSet):
    """The shared vocabulary of duty categories: the values of the `category` filters."""

    queryset = DutyCategory.objects.order_by("position", "slug")
    serializer_class = DutyCategorySerializer
    pagination_class = ApiPagination
    filter_backends = []
    throttle_classes = [AnonThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(summary="List duty categories", responses={200: DutyCategorySerializer(many=True), **ERRORS})
    def list(self, request):
        if (response := self.cached()):
            return response
        page = self.paginator.paginate_queryset(self.get_queryset(), request, view=self)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
