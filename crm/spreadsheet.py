"""CSV and XLSX files (tablib, as django-import-export uses it), safe to open in a spreadsheet.

Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is prefixed
with an apostrophe: a contact named "=HYPERLINK(…)" must reach the sheet as text.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import tablib
from django.http import HttpResponse

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_EXPORT_ROWS = 50_000


def safe(value):
    """A cell value a spreadsheet will not evaluate: numbers stay numbers."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render(dataset: tablib.Dataset, fmt: str) -> tuple[bytes | str, str]:
    return dataset.export(fmt), FORMATS[fmt]


def download(dataset: tablib.Dataset, fmt: str, name: str) -> HttpResponse:
    content, content_type = render(dataset, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="huddle-{name}.{fmt}"'
    return response
