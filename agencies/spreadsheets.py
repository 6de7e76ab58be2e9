"""Spreadsheet safety shared by every file we hand to staff or integrators (imports, exports, API CSV)."""
from typing import Any

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """Make a cell that a spreadsheet would run as a formula plain text (OWASP: prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """Undo `escape_formula` when a file we exported comes back."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
