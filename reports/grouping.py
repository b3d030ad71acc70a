"""Reports grouped by an admin's field: rows per choice of a choice, yes/no or user field of the
records the report counts, and one "(none)" row for the records without a value — so every
record is in exactly one row and the totals are those of the report's own grouping.

A row's key (what its drill-down names) is "=<stored value>" for a value and NONE_KEY for the
"(none)" row, so no value an admin gives a choice can be mistaken for "no value".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from crm import custom_fields, custom_sql
from crm.custom_fields import Spec
from reports.base import row_id

TYPES = ("choice", "yes_no", "user")
NONE_KEY = "none"
NONE_LABEL = "(none)"


def fields_for(kind: str, user) -> list[Spec]:
    """The fields of `kind` a report may group by for this user: the types with few values,
    and only those the user's role sees."""
    return [s for s in custom_fields.seen_by(kind, user) if s.type in TYPES]


def expression(spec: Spec):
    """The stored value in SQL, to group by (crm/custom_sql.py: the indexed expression)."""
    return custom_sql.value(spec)


def key(spec: Spec, raw) -> str:
    """A grouped value as the database returns it (SQLite: 1 / 0 for yes and no, a number for
    a user; PostgreSQL: text) as its row's key."""
    if raw is None:
        return NONE_KEY
    if spec.type == "yes_no":
        return "=true" if raw in (True, 1, "1", "true") else "=false"
    if spec.type == "user" and isinstance(raw, int | float | str) and str(raw).isdigit():
        return f"={int(raw)}"
    return f"={raw}"


def rows(spec: Spec, seen: set[str]) -> list[tuple[str, str]]:
    """(key, label) of the rows, in reading order: every choice (empty ones too, as a report
    by stage shows empty stages), values no choice names any more, then "(none)". Users are
    listed only where they hold a value, by name."""
    if spec.type == "yes_no":
        listed = [("=true", "Yes"), ("=false", "No")]
    elif spec.type == "choice":
        listed = [(f"={c.value}", c.label) for c in spec.choices]
    else:
        listed = []
    known = {k for k, _ in listed}
    others = [(k, spec.display(_stored(spec, k))) for k in seen - known - {NONE_KEY}]
    others.sort(key=lambda row: row[1].lower())
    return [*listed, *others, (NONE_KEY, NONE_LABEL)]


def _stored(spec: Spec, row_key: str):
    value = row_key[1:]
    return int(value) if spec.type == "user" and value.isdigit() else value


def drill(queryset: QuerySet, spec: Spec, row_key: str) -> QuerySet:
    """The records of one row. A key that is no row of this field raises ValueError (the
    drill-down answers 404)."""
    if row_key == NONE_KEY:
        return queryset.filter(~Q(custom__has_key=spec.key) | Q(**{spec.lookup: None}))
    if not row_key.startswith("="):
        raise ValueError(row_key)
    value = row_key[1:]
    if spec.type == "yes_no":
        if value not in ("true", "false"):
            raise ValueError(row_key)
        return queryset.filter(**{spec.lookup: value == "true"})
    if spec.type == "user":
        return queryset.filter(**{spec.lookup: row_id(value)})
    return queryset.filter(**{spec.lookup: value})
