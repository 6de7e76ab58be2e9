"""Root URLs: the public site in each language, the staff admin and the integrator API.

The site's pages live under i18n_patterns: English unprefixed (the URLs the site always had),
Chinese under /zh-hans/. The API, the admin, the sitemap (which lists both languages) and robots.txt
have one address each."""
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from freshness.pages import cached_page
from portal import health, views
from portal.sitemaps import SITEMAPS

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page (and the admin links none): answer from the project.
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),
    path("sitemap.xml", cached_page()(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    *i18n_patterns(path("", include("portal.site_urls")), prefix_default_language=False),
]
