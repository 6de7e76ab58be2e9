"""Page-number pagination whose bad parameters are a 400 naming the parameter, not a silent fix."""
from __future__ import annotations

from django import forms
from django.core.paginator import InvalidPage
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = "Page number, starting at 1."
    page_size_query_description = f"Results per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."

    def paginate_queryset(self, queryset, request, view=None, count: int | None = None):
        """`count`, when the view already knows it (from its ETag aggregate), saves a COUNT query."""
        self.request = request
        form = PageForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        page_size = form.cleaned_data["page_size"] or self.page_size
        paginator = DjangoPaginator(queryset, page_size)
        if count is not None:
            paginator.count = count  # shadows the cached_property
        try:
            self.page = paginator.page(form.cleaned_data["page"] or 1)
        except InvalidPage as error:
            raise NotFound(f"Invalid page: {error}") from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["schema"]["maximum"] = 999_999_999  # digits only, at most nine (api/params.py)
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = MAX_PAGE_SIZE
        return parameters


class SearchPagination(ApiPagination):
    """Pages of a list that takes `q`: the engine's notes on the search ride along with the page."""

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"].update({
            "suggestion": {
                "type": "string", "nullable": True, "example": "Huaihua",
                "description": "With `q`, when its words found nothing: the closest bureau, other-name or place "
                               "spelling (\"Did you mean …?\"); else null.",
            },
            "corrected": {
                "type": "boolean",
                "description": "True when nothing matched `q` and these are the results of `suggestion` instead.",
            },
            "partial": {
                "type": "boolean",
                "description": "True when no agency has every word of `q`: these have some of them, best first.",
            },
            "capped": {
                "type": "boolean",
                "description": "True when more agencies match `q` than the best 1,000 that are listed (a common "
                               "word such as \"science\"): `count` and the pages cover those best-ranked ones. "
                               "Add words or a filter (region, level, category…) to reach the rest; with a "
                               "filter or `ordering`, every match is listed.",
            },
        })
        return schema
