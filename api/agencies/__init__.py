"""Integrator API v1 for agencies, regions and the national calendar (read-only, published records only)."""
from api.agencies.serializers import ERRORS, AgencyRefSerializer, CategoryBriefSerializer
from api.agencies.views import AgencyViewSet, HolidayView, RegionViewSet

__all__ = ["ERRORS", "AgencyRefSerializer", "AgencyViewSet", "CategoryBriefSerializer", "HolidayView", "RegionViewSet"]
