"""Reports and drill-downs as CSV or XLSX, streamed as the rows are read (crm/spreadsheet.py:
formula-safe cells, CSV in chunks, XLSX through a write-only workbook)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from contacts.models import Activity
from crm.spreadsheet import FORMATS, MAX_EXPORT_ROWS  # noqa: F401 - re-exported
from crm.visibility import related_label, with_related_flags
from deals.models import Deal
from reports.base import Params, Report, Result


def report_rows(
    report: Report, result: Result, params: Params | None = None
) -> tuple[list[str], Iterator[list]]:
    """The report's headers and rows, its totals as a last row."""
    columns = report.shape(params).columns if params is not None else report.columns

    def rows():
        for row in result.rows:
            yield [row.get(c.key) for c in columns]
        if result.totals:
            yield [
                result.totals.get(c.key, "Total" if i == 0 else "") for i, c in enumerate(columns)
            ]

    return [c.label for c in columns], rows()


def record_rows(records, user) -> tuple[list[str], Iterable[list]]:
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
            )[:MAX_EXPORT_ROWS].iterator(chunk_size=2000)
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
            )[:MAX_EXPORT_ROWS].iterator(chunk_size=2000)
        )
    else:
        headers = ["Record"]
        rows = ([str(r)] for r in records[:MAX_EXPORT_ROWS].iterator(chunk_size=2000))
    return headers, rows
