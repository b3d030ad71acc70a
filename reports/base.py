"""Reports are declared: the question, who asks it, the filters, and the fields they need.

A report computes rows and totals from `visible_to(user)` querysets only, says how complete the
data behind it is (the share of in-scope records that have every field it `requires`), and can
list the records behind any figure (`drill`). Subclasses live in reports/builtin/ and are looked
up by slug in reports/registry.py.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from crm import custom_fields, requirements

MONEY_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | money | percent | date
    drill: bool = False  # each figure links to the records behind it


@dataclass
class Params:
    """The filters a report was asked with, already checked against what the user may see."""

    start: date | None = None  # period, inclusive
    end: date | None = None  # period, inclusive
    team: object | None = None  # crm.Team
    owner: object | None = None  # crm.User
    pipeline: object | None = None  # deals.Pipeline
    since: date | None = None
    days: int | None = None
    extra: dict = field(default_factory=dict)
    # The admin's filterable fields chosen (crm/custom_fields.py Spec -> stored value): they
    # narrow the records of their kind wherever `owned()` narrows them.
    custom: dict = field(default_factory=dict)
    # The admin's field the rows are grouped by (reports/grouping.py), instead of the report's
    # own rows; None: the report's own.
    group_by: object | None = None  # crm.custom_fields.Spec

    def custom_query_value(self, spec) -> str:
        value = self.custom[spec]
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    def start_dt(self) -> datetime | None:
        return _aware(self.start) if self.start else None

    def end_dt(self) -> datetime | None:
        """Exclusive end: midnight after the last day of the period."""
        return _aware(self.end + timedelta(days=1)) if self.end else None

    def owned(self, queryset: QuerySet, owner_field: str = "owner") -> QuerySet:
        """Narrow an already-visible queryset to the chosen team or owner, and records of the
        custom filters' kind to the chosen values (never widens it)."""
        kind = getattr(queryset.model, "policy_key", "")
        for spec, value in self.custom.items():
            if spec.kind == kind:
                queryset = queryset.filter(**{spec.lookup: value})
        if self.owner is not None:
            queryset = queryset.filter(**{f"{owner_field}_id": self.owner.pk})
        if self.team is not None:
            queryset = queryset.filter(**{f"{owner_field}__team_id": self.team.pk})
        return queryset

    def as_query(self) -> dict[str, str]:
        """The same filters as URL parameters, for drill-down, fix list and export links."""
        values = {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "team": self.team.pk if self.team else None,
            "owner": self.owner.pk if self.owner else None,
            "pipeline": self.pipeline.pk if self.pipeline else None,
            "since": self.since.isoformat() if self.since else None,
            "days": self.days,
            **{spec.name: self.custom_query_value(spec) for spec in self.custom},
            "group": self.group_by.name if self.group_by is not None else None,
        }
        return {k: str(v) for k, v in values.items() if v is not None}


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Completeness:
    """How many in-scope records have every field the report requires."""

    noun: str  # "open deals"
    total: int
    complete: int
    missing: dict[str, int]  # field label -> how many records lack it

    @property
    def incomplete(self) -> int:
        return self.total - self.complete

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.complete / self.total)

    def sentence(self, title: str) -> str:
        if not self.incomplete:
            return f"{title}: all {self.total} {self.noun} have what it needs."
        gaps = [label for label, n in self.missing.items() if n]
        if len(gaps) == 1:
            return f"{title}: {self.incomplete} of {self.total} {self.noun} lack {gaps[0]}."
        lacking = ", ".join(f"{n} lack {label}" for label, n in self.missing.items() if n)
        return f"{title}: {self.incomplete} of {self.total} {self.noun} are incomplete ({lacking})."

    def as_json(self) -> dict:
        return {
            "noun": self.noun,
            "total": self.total,
            "complete": self.complete,
            "incomplete": self.incomplete,
            "percent": self.percent,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class Shape:
    """What a report's table looks like for one set of filters: its columns, the column whose
    value names a row in a drill-down, and its chart (label column, value column)."""

    columns: tuple[Column, ...]
    row_key: str
    chart: tuple[str, str] | None


@dataclass
class Result:
    rows: list[dict]
    totals: dict
    completeness: Completeness | None = None


class Report:
    slug: str = ""
    title: str = ""
    question: str = ""
    audience: tuple[str, ...] = ("manager", "admin")
    filters: tuple[str, ...] = ()  # of: period, team, owner, pipeline, since, days
    requires: dict[str, tuple[str, ...]] = {}  # "deals.Deal" -> ("expected_close",)
    columns: tuple[Column, ...] = ()
    row_key: str = ""  # the column that identifies a row, for drill-down
    chart: tuple[str, str] | None = None  # (label column, value column) for a bar chart
    completeness_noun: str = "records"
    default_period_days: int = 90
    # A report that may group its rows by an admin's choice, yes/no or user field names the kind
    # of record it counts ("deal") and what its own rows are ("Stage"); reports/grouping.py.
    group_by_kind: str = ""
    group_by_label: str = ""

    # ---- what a subclass provides ------------------------------------------------------

    def compute(self, user, params: Params) -> tuple[list[dict], dict]:
        """Rows (dicts keyed by column key) and totals, from visible_to(user) querysets."""
        raise NotImplementedError

    def drill(self, user, params: Params, row: str, column: str) -> QuerySet:
        """The records behind one figure (row key value, column key); all rows when row is ""."""
        raise NotImplementedError

    def completeness_queryset(self, user, params: Params) -> QuerySet | None:
        """The records whose required fields are checked; None when the report requires none."""
        return None

    def shape(self, params: Params) -> Shape:
        """The table's columns, row key and chart: the declared ones, unless a report that groups
        by an admin's field is grouped by one."""
        return Shape(self.columns, self.row_key, self.chart)

    # ---- shared ------------------------------------------------------------------------------

    def run(self, user, params: Params) -> Result:
        rows, totals = self.compute(user, params)
        return Result(rows, totals, self.completeness(user, params))

    def needs(self) -> dict[str, tuple[str, ...]]:
        """What this report needs filled, per model label: its own `requires` and the custom
        fields an admin marked as needed by it (custom_<key>)."""
        if self.slug in requirements.reports:
            return requirements.requires(self.slug)
        return dict(self.requires)

    def required_fields(self) -> list[tuple[str, str]]:
        """(model label, field name) pairs this report needs filled."""
        return [(label, name) for label, names in self.needs().items() for name in names]

    def completeness(self, user, params: Params) -> Completeness | None:
        queryset = self.completeness_queryset(user, params)
        if queryset is None:
            return None
        needs = self.needs()
        if not needs:
            return None
        fields = needs.get(queryset.model._meta.label, ())
        gaps = {name: missing_q(queryset.model, name) for name in fields}
        figures = queryset.aggregate(
            total=Count("pk"),
            incomplete=Count("pk", filter=_any(gaps.values())),
            **{f"missing_{name}": Count("pk", filter=q) for name, q in gaps.items()},
        )
        labels = {name: field_label(queryset.model, name) for name in fields}
        return Completeness(
            noun=self.completeness_noun,
            total=figures["total"],
            complete=figures["total"] - figures["incomplete"],
            missing={labels[name]: figures[f"missing_{name}"] for name in fields},
        )

    def incomplete(self, user, params: Params) -> QuerySet | None:
        """The fix list: in-scope records lacking at least one required field."""
        queryset = self.completeness_queryset(user, params)
        if queryset is None:
            return None
        fields = self.needs().get(queryset.model._meta.label, ())
        if not fields:
            return None
        return queryset.filter(_any(missing_q(queryset.model, name) for name in fields))

    def default_params(self) -> Params:
        today = timezone.localdate()
        params = Params()
        if "period" in self.filters:
            params.start, params.end = today - timedelta(days=self.default_period_days - 1), today
        return params


def missing_q(model, name: str) -> Q:
    """A field counts as missing when it is NULL, or empty text, or a zero amount; a custom
    field when its key is absent (an emptied value is removed, never stored blank)."""
    if name.startswith(custom_fields.FORM_PREFIX):
        return ~Q(custom__has_key=name.removeprefix(custom_fields.FORM_PREFIX))
    field = model._meta.get_field(name)
    q = Q(**{f"{name}__isnull": True})
    if field.get_internal_type() in ("CharField", "TextField", "EmailField", "URLField"):
        q |= Q(**{name: ""})
    if field.get_internal_type() == "DecimalField":
        q |= Q(**{name: 0})
    return q


def field_label(model, name: str) -> str:
    """A required field's name as its forms show it (a custom field's label)."""
    if name.startswith(custom_fields.FORM_PREFIX):
        for spec in custom_fields.for_kind(model.policy_key, archived=True):
            if spec.name == name:
                return spec.label
    return str(model._meta.get_field(name).verbose_name)


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions, Q()) or Q(pk__in=[])


def row_id(row: str) -> int:
    """A drill-down row that names a record id; anything else is no such figure (ValueError)."""
    value = int(row)
    if not 0 <= value < 2**63:
        raise ValueError(row)
    return value


def money(value) -> Decimal:
    """Two places, half up (commercial rounding), from whatever the database returned."""
    return Decimal(str(value or 0)).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def model(label: str):
    return apps.get_model(label)
