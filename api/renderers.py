"""CSV for spreadsheet users, safe against formula injection."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from django.http import Http404
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer

from agencies.spreadsheets import escape_formula
from api.params import query_check


def escape_cell(value: object) -> str:
    """The cell as text, with a leading formula character defused (the rule staff exports use too)."""
    return "" if value is None else escape_formula(str(value))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yield CSV text line by line (a UTF-8 BOM first, so Excel reads Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([escape_cell(name) for name in header])
    yield "\ufeff" + flush()
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
        yield flush()


class CSVRenderer(BaseRenderer):
    """Selected by `?format=csv` or `Accept: text/csv`. Views stream the rows themselves; this renders
    only what reaches it otherwise (a list of flat dicts)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = data if isinstance(data, list) else [data]
        header = list(rows[0]) if rows else []
        return "".join(csv_lines(header, ([row.get(name) for name in header] for row in rows))).encode()


class FormatParameterMixin:
    """An unknown `?format=` is a 400 naming the parameter, like every other bad parameter (DRF says 404);
    every other parameter is held to the schema first (api/params.py)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in {"GET", "HEAD"}:
            query_check(request.query_params)

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            offered = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [f"Choose one of: {offered}."]}) from None
