"""Visibility matrix cases for the reports: index, dashboard, and each page of a report.

`pipeline` is open to reps (its audience includes them), `forecast` only to managers and the
admin: reps get 404 there. Report tables show aggregates, so what must not leak to those who may
not see ana's deal is its amount inside them; drill-downs, fix lists and record exports list
records, so there it is the deal's title. Who opens a report is fixed (its audience); whose
figures are in it follows the policy.

The activity report's records (drill-down and export) list ana's call next to its company and
deal: under a policy where activities are seen more widely than deals and companies, the call
may reach sam while its deal's title and company's name must not (the matrix's leak check).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.matrix import (
    EVERYONE_200,
    GET,
    GET_HX,
    HTMX_LIST,
    MANAGERS,
    MANAGERS_200,
    PAGE,
    POST,
    Case,
    page,
    seers,
    set_fields,
    statuses,
)

AMOUNT = Decimal("12345.67")  # ana's deal, made distinctive for the report's figures
SHOWN_AMOUNT = "12,346"  # as a report table shows money
EXPORTED_AMOUNT = "12345.67"  # as a CSV export writes it
TITLE = "Nordwind rollout"
CALL = "Call Nora about rollout"
NOBODY_404 = statuses(ben=404, outsiders=404, editors=404)

_with_figures = set_fields("deal", amount=AMOUNT, expected_close=date(2030, 1, 31))
_without_close = set_fields("deal", amount=AMOUNT, expected_close=None)


def _slug(slug):
    return lambda r: {"slug": slug}


def _export(slug):
    return lambda r: {"slug": slug, "fmt": "csv"}


def _report_cases(slug: str, expect: dict, readers, *, fix: dict) -> list[Case]:
    """Every page of one report; `readers` open it and see ana's deal in it."""
    return [
        page(
            "reports:detail",
            expect,
            HTMX_LIST,
            id=f"reports:detail-{slug}",
            kwargs=_slug(slug),
            setup=_with_figures,
            shows=SHOWN_AMOUNT,
            shown_to=readers,
            fragment=f'id="report-{slug}"',
        ),
        Case(
            "reports:section",
            {GET: expect, GET_HX: expect, POST: expect},
            id=f"reports:section-{slug}",
            kwargs=_slug(slug),
            setup=_with_figures,
            shows=SHOWN_AMOUNT,
            shown_to=readers,
            fragment=f'id="report-{slug}"',
        ),
        page(
            "reports:drill",
            expect,
            PAGE,
            id=f"reports:drill-{slug}",
            kwargs=_slug(slug),
            query={"row": "", "col": "count"},
            setup=_with_figures,
            shows=TITLE,
            shown_to=readers,
        ),
        page(
            "reports:fix",
            fix,
            PAGE,
            id=f"reports:fix-{slug}",
            kwargs=_slug(slug),
            setup=_without_close,
            shows=TITLE,
            shown_to=readers,
        ),
        page(
            "reports:export",
            expect,
            PAGE,
            id=f"reports:export-{slug}",
            kwargs=_export(slug),
            setup=_with_figures,
            shows=EXPORTED_AMOUNT,
            shown_to=readers,
        ),
        page(
            "reports:export",
            expect,
            PAGE,
            id=f"reports:export-records-{slug}",
            kwargs=_export(slug),
            query={"drill": "1", "row": "", "col": "count"},
            setup=_with_figures,
            shows=TITLE,
            shown_to=readers,
        ),
    ]


CASES: list[Case] = [
    # Which reports a user may open: the forecast's question only reaches its audience.
    page(
        "reports:index",
        EVERYONE_200,
        shows="What will close, month by month",
        shown_to=MANAGERS,
    ),
    # The dashboard holds no figures itself: each section loads lazily from reports:section.
    page(
        "reports:dashboard",
        EVERYONE_200,
        shows="/reports/forecast/section/",
        shown_to=MANAGERS,
    ),
    # Pipeline requires no field, so it has no fix list for anyone.
    *_report_cases("pipeline", EVERYONE_200, seers("deal"), fix=NOBODY_404),
    *_report_cases("forecast", MANAGERS_200, seers("deal") & MANAGERS, fix=MANAGERS_200),
    # Every activity of the period, as records: ana's call, to the managers who may see it.
    page(
        "reports:drill",
        MANAGERS_200,
        PAGE,
        id="reports:drill-activity",
        kwargs=_slug("activity"),
        query={"row": "", "col": "total"},
        shows=CALL,
        shown_to=seers("activity") & MANAGERS,
    ),
    page(
        "reports:export",
        MANAGERS_200,
        PAGE,
        id="reports:export-records-activity",
        kwargs=_export("activity"),
        query={"drill": "1", "row": "", "col": "total"},
        shows=CALL,
        shown_to=seers("activity") & MANAGERS,
    ),
]
