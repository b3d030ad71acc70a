"""Fix lists: the records a report lacks data on, each with just its missing fields."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Value, When

from crm import inline
from reports.base import Report, missing_q

FIX_LIST_LENGTH = 50  # a page of work; the next fifty show once these are filled


def fix_rows(report: Report, incomplete, user) -> list[dict]:
    model = incomplete.model
    fields = report.needs().get(model._meta.label, ())
    # One query: the records, and for each required field whether it is missing.
    flags = {f"lacks_{name}": missing_q(model, name) for name in fields}
    annotated = incomplete.annotate(
        **{
            key: Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
            for key, q in flags.items()
        }
    ).select_related("owner")
    rows = []
    for record in annotated.order_by("pk")[:FIX_LIST_LENGTH]:
        missing = [name for name in fields if getattr(record, f"lacks_{name}")]
        rows.append(
            {
                "record": record,
                "fields": [
                    inline.context(record, name, form=inline.form_for(record, name, user))
                    for name in missing
                ],
            }
        )
    return rows
