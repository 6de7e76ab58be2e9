"""Root URLs: the public site, the staff admin and the integrator API."""
from django.contrib import admin
from django.urls import include, path

from portal import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),
    path("", include("portal.site_urls")),
]
