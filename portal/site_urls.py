"""Public site URLs (namespace "site"), once per language (see portal.urls)."""
from django.urls import path, re_path

from portal import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
    path("agencies/<slug:slug>/contact.vcf", views.agency_vcard_download, name="agency-vcard"),
    path("agencies/<slug:slug>/correction/", views.agency_correction, name="agency-correction"),
    path("compare/", views.compare, name="compare"),
    path("regions/", views.region_list, name="regions"),
    re_path(r"^regions/(?P<code>[0-9]{6})/$", views.region_detail, name="region"),
]
