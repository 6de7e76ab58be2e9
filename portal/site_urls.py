"""Public site URLs (namespace "site")."""
from django.urls import path

from portal import views

app_name = "site"
urlpatterns = [
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
]
