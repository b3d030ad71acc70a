"""The field registry: every owned model's fields, built-in and custom, as lists, filters,
detail pages and exports read them — so a field an admin adds appears everywhere at once, with
the same label, validation and role rules, and no app repeats it per model.

Forms read the custom fields through crm.forms.OwnedModelForm; the rest read them here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.db.models import Model

from crm import custom_fields, custom_sql
from crm.custom_fields import Spec
from crm.dates import DateFilter

COLUMNS_SET = "cols_set"  # a list's column chooser was used: `cols` then says what to show
COLUMNS = "cols"


# ---- lists: columns -----------------------------------------------------------------------------


class CustomColumn(tables.Column):
    """A custom field's value in a list, as people read it; sortable where the type sorts."""

    def __init__(self, spec: Spec):
        numeric = spec.type in ("number", "money")
        super().__init__(
            accessor="custom",
            verbose_name=spec.label,
            order_by=(spec.lookup, "id"),
            orderable=spec.type not in ("multiple_choice", "long_text"),
            empty_values=(),
            attrs={"td": {"class": "num"}, "th": {"class": "num"}} if numeric else {},
        )
        self.spec = spec

    def render(self, value, record):
        return self.spec.display((value or {}).get(self.spec.key)) or "—"

    def order(self, queryset, is_descending):
        # By the indexed expression (crm/custom_sql.py), not Django's JSON key lookup.
        expression = custom_sql.value(self.spec)
        if is_descending:
            return queryset.order_by(expression.desc(nulls_last=True), "-id"), True
        return queryset.order_by(expression.asc(nulls_last=True), "id"), True


@dataclass(frozen=True)
class ColumnChoice:
    name: str  # the `cols` value: the custom field's key
    label: str
    shown: bool


def shown_columns(request, kind: str, specs: list[Spec]) -> set[str]:
    """Which custom columns this user shows in this list: what they chose last (kept in their
    session), else the ones the admin shows in lists by default."""
    session_key = f"list-columns:{kind}"
    if COLUMNS_SET in request.GET:
        known = {s.key for s in specs}
        chosen = [key for key in request.GET.getlist(COLUMNS) if key in known]
        request.session[session_key] = chosen
        return set(chosen)
    if session_key in request.session:
        return set(request.session[session_key])
    return {s.key for s in specs if s.in_list}


def list_columns(request, kind: str, user) -> tuple[list, list[ColumnChoice]]:
    """The extra columns of a list (for django-tables2's `extra_columns`) and the chooser."""
    specs = custom_fields.seen_by(kind, user)
    if not specs:
        return [], []
    shown = shown_columns(request, kind, specs)
    columns = [(s.name, CustomColumn(s)) for s in specs if s.key in shown]
    return columns, [ColumnChoice(s.key, s.label, s.key in shown) for s in specs]


# ---- lists: filters -----------------------------------------------------------------------------


def _contains_value(lookup: str):
    def method(queryset, name, value):
        # A multiple choice is a JSON list: look for the quoted value in its text.
        return queryset.filter(**{f"{lookup}__icontains": f'"{value}"'}) if value else queryset

    return method


def _compare(lookup: str, op: str, convert: Callable[[Any], Any]):
    def method(queryset, name, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(**{f"{lookup}__{op}": convert(value)})

    return method


def _indexed(spec: Spec):
    """Compare the field's indexed expression (crm/custom_sql.py) with the filter's value."""

    def method(queryset, name, value):
        return custom_sql.filtered(queryset, spec, exact=str(value)) if value else queryset

    return method


class _RangeEnd:
    """One end of a custom date or number range (`…_from` / `…_to`, `…_min` / `…_max`).

    The lower end filters by both ends (the upper end alone only when there is no lower one),
    so crm/custom_sql.py sees the whole range when it decides how to read it: two wide ends
    can make a narrow range.
    """

    def __init__(self, *args, spec: Spec, lower: bool, other: str, convert, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec, self.lower, self.other, self.convert = spec, lower, other, convert

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        other = self.parent.form.cleaned_data.get(self.other)
        if other in (None, ""):
            bounds = {"gte" if self.lower else "lte": self.convert(value)}
        elif self.lower:
            bounds = {"gte": self.convert(value), "lte": self.convert(other)}
        else:
            return qs  # the lower end filtered by both
        return custom_sql.filtered(qs, self.spec, **bounds)


class _DateEnd(_RangeEnd, DateFilter):
    pass


class _NumberEnd(_RangeEnd, django_filters.NumberFilter):
    pass


def _range(spec: Spec, end, low: str, high: str, convert) -> dict[str, django_filters.Filter]:
    common = {"spec": spec, "convert": convert}
    return {
        low: end(label=f"{spec.label} from", lower=True, other=high, **common),
        high: end(label=f"{spec.label} to", lower=False, other=low, **common),
    }


def _is(lookup: str):
    def method(queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        return queryset.filter(**{lookup: value == "true"})

    return method


def _users(request):
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


def filters_for(spec: Spec) -> dict[str, django_filters.Filter]:
    """The filters a custom field gets by its type: choice → select, date and number → a range,
    text → contains, yes/no → yes or no."""
    lookup, name, label = spec.lookup, spec.name, spec.label
    if spec.type == "choice":
        choices = [(c.value, c.label) for c in spec.choices]
        return {
            name: django_filters.ChoiceFilter(
                label=label,
                choices=choices,
                empty_label=f"Any {label.lower()}",
                method=_indexed(spec),
            )
        }
    if spec.type == "multiple_choice":
        choices = [(c.value, c.label) for c in spec.choices]
        return {
            name: django_filters.ChoiceFilter(
                label=label,
                choices=choices,
                empty_label=f"Any {label.lower()}",
                method=_contains_value(lookup),
            )
        }
    if spec.type == "yes_no":
        return {
            name: django_filters.ChoiceFilter(
                label=label,
                choices=[("true", "Yes"), ("false", "No")],
                empty_label="Yes or no",
                method=_is(lookup),
            )
        }
    if spec.type == "date":
        iso = lambda value: value.isoformat()  # noqa: E731 - stored as "YYYY-MM-DD"
        return _range(spec, _DateEnd, f"{name}_from", f"{name}_to", iso)
    if spec.type in ("number", "money"):
        return _range(spec, _NumberEnd, f"{name}_min", f"{name}_max", float)
    if spec.type == "user":
        return {
            name: django_filters.ModelChoiceFilter(
                label=label,
                queryset=_users,
                empty_label="Anyone",
                method=_compare(lookup, "exact", lambda user: user.pk),
            )
        }
    return {
        name: django_filters.CharFilter(field_name=lookup, lookup_expr="icontains", label=label)
    }


def with_custom_filters(filterset_class, kind: str, user):
    """`filterset_class` plus the filters of the custom fields marked filterable that this user
    sees; the class itself when there are none."""
    extra: dict[str, django_filters.Filter] = {}
    for spec in custom_fields.seen_by(kind, user):
        if spec.filterable:
            extra.update(filters_for(spec))
    if not extra:
        return filterset_class
    return type(filterset_class.__name__, (filterset_class,), extra)


# ---- detail pages and exports -------------------------------------------------------------------


@dataclass(frozen=True)
class ExportField:
    label: str
    value: Callable[[Model], Any]


def export_fields(kind: str, builtin: list[ExportField], user) -> list[ExportField]:
    """A list's export columns: the built-in ones, then the custom fields the role sees (by
    their label, each value as a spreadsheet reads it: numbers stay numbers)."""
    custom = [
        ExportField(spec.label, lambda r, s=spec: s.export((r.custom or {}).get(s.key)))
        for spec in custom_fields.seen_by(kind, user)
    ]
    return [*builtin, *custom]
