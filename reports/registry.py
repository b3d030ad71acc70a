"""The reports Huddle knows, by slug; and which of them a user may open."""

from __future__ import annotations

from crm import requirements
from reports.base import Report

_reports: dict[str, Report] = {}


def register(report_class: type[Report]) -> type[Report]:
    """Class decorator: one instance per report, and its field needs made known to the forms."""
    report = report_class()
    _reports[report.slug] = report
    requirements.register_report(
        requirements.ReportInfo(report.slug, report.title, report.question, dict(report.requires))
    )
    return report_class


def get(slug: str) -> Report | None:
    return _reports.get(slug)


def all_reports() -> list[Report]:
    return list(_reports.values())


def for_user(user) -> list[Report]:
    """Enabled reports whose audience includes this user's role (admins see every report)."""
    off = requirements.disabled_slugs()
    return [
        r
        for r in _reports.values()
        if r.slug not in off and (user.is_admin or user.role in r.audience)
    ]


def may_open(user, report: Report) -> bool:
    return report in for_user(user)
