"""Reports and drill-downs as CSV or XLSX (crm/spreadsheet.py: formula-safe cells)."""

from __future__ import annotations

import tablib

from contacts.models import Activity
from crm.spreadsheet import FORMATS, MAX_EXPORT_ROWS, render, safe  # noqa: F401 - re-exported
from crm.visibility import related_label, with_related_flags
from deals.models import Deal
from reports.base import Params, Report, Result


def report_dataset(report: Report, result: Result, params: Params | None = None) -> tablib.Dataset:
    columns = report.shape(params).columns if params is not None else report.columns
    data = tablib.Dataset(headers=[c.label for c in columns], title=report.title[:31])
    for row in result.rows:
        data.append([safe(row.get(c.key)) for c in columns])
    if result.totals:
        data.append(
            [
                safe(result.totals[c.key])
                if c.key in result.totals
                else ("Total" if i == 0 else "")
                for i, c in enumerate(columns)
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
