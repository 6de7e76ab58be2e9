"""Integrator API v1 for agencies, regions and the national calendar (read-only, published records only)."""
from agencies.api.serializers import ERRORS, AgencyRefSerializer, CategoryBriefSerializer
from agencies.api.views import AgencyViewSet, HolidayView, RegionViewSet

__all__ = ["ERRORS", "AgencyRefSerializer", "AgencyViewSet", "CategoryBriefSerializer", "HolidayView", "RegionViewSet"]
