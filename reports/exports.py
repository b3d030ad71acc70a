"""Reports and drill-downs as CSV or XLSX (tablib, as django-import-export uses it).

Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is prefixed
with an apostrophe: a contact named "=HYPERLINK(…)" must reach the sheet as text.
"""

from __future__ import annotations

from decimal import Decimal

import tablib

from contacts.models import Activity
from crm.visibility import related_label, with_related_flags
from deals.models import Deal
from reports.base import Report, Result
from reports.serialize import plain

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
    value = plain(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def report_dataset(report: Report, result: Result) -> tablib.Dataset:
    data = tablib.Dataset(headers=[c.label for c in report.columns], title=report.title[:31])
    for row in result.rows:
        data.append([safe(row.get(c.key)) for c in report.columns])
    if result.totals:
        data.append(
            [
                safe(result.totals[c.key])
                if c.key in result.totals
                else ("Total" if i == 0 else "")
                for i, c in enumerate(report.columns)
            ]
        )
    return data


def records_dataset(records, user) -> tablib.Dataset:
    """The records behind a figure. A related record's name (a deal's company, an activity's
    deal) is written only where this user may see that record; the cell is empty otherwise."""
    if records.model is Deal:
        headers = [
            "Title",
            "Company",
            "Pipeline",
            "Stage",
            "Amount",
            "Currency",
            "Expected close",
            "Owner",
        ]
        rows = (
            [
                d.title,
                related_label(d, "company", "name"),
                d.pipeline.name,
                d.stage.name,
                d.amount,
                d.currency,
                d.expected_close,
                str(d.owner),
            ]
            for d in with_related_flags(
                records.select_related("company", "pipeline", "stage", "owner"), user, "company"
            )[:MAX_EXPORT_ROWS]
        )
    elif records.model is Activity:
        headers = ["When", "Kind", "Subject", "Company", "Deal", "Done", "Owner"]
        rows = (
            [
                a.occurs_at,
                a.get_kind_display(),
                a.subject,
                related_label(a, "company", "name"),
                related_label(a, "deal", "title"),
                "yes" if a.done else "no",
                str(a.owner),
            ]
            for a in with_related_flags(
                records.select_related("company", "deal", "owner"), user, "company", "deal"
            )[:MAX_EXPORT_ROWS]
        )
    else:
        headers, rows = ["Record"], ([str(r)] for r in records[:MAX_EXPORT_ROWS])
    data = tablib.Dataset(headers=headers, title="Records")
    for row in rows:
        data.append([safe(v) for v in row])
    return data


def render(dataset: tablib.Dataset, fmt: str) -> tuple[bytes | str, str]:
    return dataset.export(fmt), FORMATS[fmt]
