"""Reports as plain data: JSON for scripts, rows for CSV and XLSX. Money is a decimal string."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from reports.base import Report, Result


def plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def result_as_json(report: Report, result: Result) -> dict:
    return {
        "report": report.slug,
        "title": report.title,
        "rows": [{k: plain(v) for k, v in row.items()} for row in result.rows],
        "totals": {k: plain(v) for k, v in result.totals.items()},
        "completeness": result.completeness.as_json() if result.completeness else None,
    }
