from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from agencies.models import Agency


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.published(), slug=slug)
    return HttpResponse(agency.name)
