"""Synonyms in and out of spreadsheets, through the same all-or-nothing staff import as every table."""
from agencies.resources import StaffResource
from search.models import Synonym
from search.synonyms import forget_synonyms


class SynonymResource(StaffResource):
    agency_path = None

    class Meta(StaffResource.Meta):
        model = Synonym
        name = "synonyms"
        fields = ["term", "equivalent", "note"]
        import_id_fields = ["term", "equivalent"]

    def get_queryset(self):
        return Synonym.objects.order_by("term", "equivalent")

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        forget_synonyms()  # bulk writes send no signals; the next search reads the new list
