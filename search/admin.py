"""Synonyms on their own admin page, importable and exportable like every staff table."""
from django.contrib import admin

from agencies.admin import StaffAdmin
from search.models import Synonym
from search.resources import SynonymResource


@admin.register(Synonym)
class SynonymAdmin(StaffAdmin):
    agency_path = None
    resource_classes = [SynonymResource]
    list_display = ["term", "equivalent", "note"]
    search_fields = ["term", "equivalent", "note"]
