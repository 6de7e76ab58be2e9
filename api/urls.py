"""The integrator API, version 1 (mounted at /api/v1/ as namespace "api")."""
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api.agencies import AgencyViewSet, HolidayView, RegionViewSet
from api.duties import DutyCategoryViewSet, DutyViewSet
from api.throttling import AnonThrottle

app_name = "api"

router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("duties", DutyViewSet, basename="duty")
router.register("categories", DutyCategoryViewSet, basename="category")
router.register("regions", RegionViewSet, basename="region")


def api_root(request: HttpRequest) -> JsonResponse:
    """Where everything is, for a developer who starts at /api/v1/."""
    names = ["agency-list", "duty-list", "category-list", "region-list", "holidays", "schema", "docs"]
    return JsonResponse({name.removesuffix("-list"): request.build_absolute_uri(reverse(f"api:{name}"))
                         for name in names})


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown API paths answer in JSON like every other API error."""
    return JsonResponse({"detail": "Not found."}, status=404)


class SwaggerView(SpectacularSwaggerView):
    def options(self, request, *args, **kwargs):
        # The HTML page has no template for DRF's OPTIONS metadata: answer with the methods only.
        return HttpResponse(status=200, headers={"Allow": "GET, HEAD, OPTIONS"})


urlpatterns = [
    path("", api_root, name="root"),
    *router.urls,
    path("holidays/", HolidayView.as_view(), name="holidays"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1", throttle_classes=[AnonThrottle]), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema", throttle_classes=[AnonThrottle]), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", throttle_classes=[AnonThrottle]), name="redoc"),
    # Only paths ending in "/": CommonMiddleware still appends the slash to the others first.
    # [\s\S], not ".": a slug may carry an encoded newline.
    re_path(r"^(?P<path>[\s\S]*/)$", not_found),
]
