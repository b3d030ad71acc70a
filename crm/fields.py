"""The field registry: every owned model's fields, built-in and custom, as lists, filters,
detail pages and exports read them — so a field an admin adds appears everywhere at once, with
the same label, validation and role rules, and no app repeats it per model.

Forms read the custom fields through crm.forms.OwnedModelForm; the rest read them here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, partial
from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django_tables2.rows import BoundRow

from crm import custom_fields, custom_sql, layouts
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

    def value(self, value, record):
        """The cell in an export: numbers stay numbers, the rest reads as shown."""
        return self.spec.export((value or {}).get(self.spec.key))

    def order(self, queryset, is_descending):
        # By the indexed expression (crm/custom_sql.py), not Django's JSON key lookup.
        expression = custom_sql.value(self.spec)
        if is_descending:
            return queryset.order_by(expression.desc(nulls_last=True), "-id"), True
        return queryset.order_by(expression.asc(nulls_last=True), "id"), True


# The django-tables2 table of each kind's list ("contact" -> ContactTable), filled from the apps'
# AppConfig.ready(): its built-in columns are offered in the column chooser and Settings → Layout.
list_tables: dict[str, type] = {}


def register_list_table(kind: str, table_class: type) -> None:
    list_tables[kind] = table_class


@cache
def _headers(table_class: type) -> tuple[tuple[str, str], ...]:
    """(name, label) of a table's columns in order: its headers, read once per process (an
    unevaluated queryset, so the model's verbose names apply and no row is read)."""
    table = table_class(table_class._meta.model.objects.none())
    return tuple((column.name, force_str(column.header)) for column in table.columns)


def table_columns(kind: str) -> list[tuple[str, str]]:
    """(name, label) of every built-in column of a kind's list, in order. The first is the
    record's name or title: every list keeps it, whatever anyone chooses."""
    table_class = list_tables.get(kind)
    return list(_headers(table_class)) if table_class else []


def builtin_columns(kind: str) -> list[tuple[str, str]]:
    """(name, label) of the built-in columns of a kind's list that people may hide."""
    return table_columns(kind)[1:]


def default_columns(kind: str, specs: list[Spec]) -> set[str]:
    """The columns a list shows someone who has not chosen: the built-in ones the admin keeps
    (Settings → Layout; all of them until the admin chooses) and the custom fields shown in
    lists by default (their `in_list`)."""
    builtin = [name for name, _ in builtin_columns(kind)]
    kept = layouts.for_kind(kind).columns
    shown = {name for name in builtin if name in kept} if kept else set(builtin)
    return shown | {s.name for s in specs if s.in_list}


@dataclass(frozen=True)
class ColumnChoice:
    name: str  # the `cols` value: the column's name (custom_<key> for a custom field)
    label: str
    shown: bool


def _column_name(value: str, known: set[str]) -> str | None:
    """A posted `cols` value as a column's name; a custom field's bare key (as the chooser
    posted it before built-in columns could be hidden, and as old links carry it) too."""
    if value in known:
        return value
    prefixed = custom_fields.FORM_PREFIX + value
    return prefixed if prefixed in known else None


def shown_columns(request, kind: str, specs: list[Spec]) -> set[str]:
    """Which hideable columns (by name) this user shows in this list: what they chose last
    (kept in their session), else the admin's default. A choice kept from before built-in
    columns could be hidden named only custom fields: the built-in ones then follow the
    admin's default."""
    session_key, legacy_key = f"list-columns:{kind}:names", f"list-columns:{kind}"
    if COLUMNS_SET in request.GET:
        known = {name for name, _ in builtin_columns(kind)} | {s.name for s in specs}
        chosen = [n for v in request.GET.getlist(COLUMNS) if (n := _column_name(v, known))]
        request.session[session_key] = chosen
        return set(chosen)
    if session_key in request.session:
        return set(request.session[session_key])
    default = default_columns(kind, specs)
    if legacy_key in request.session:
        builtin = {name for name, _ in builtin_columns(kind)}
        custom = {custom_fields.FORM_PREFIX + key for key in request.session[legacy_key]}
        return (default & builtin) | custom
    return default


def list_columns(request, kind: str, user) -> tuple[list, list[ColumnChoice]]:
    """The columns of a list as this user shows them, as django-tables2's `extra_columns` (a
    hidden built-in column as `(name, None)`, which removes it; a shown custom field's column),
    and the column chooser: the built-in columns but the first, then the custom fields the
    role sees."""
    specs = custom_fields.seen_by(kind, user)
    builtin = builtin_columns(kind)
    if not specs and not builtin:
        return [], []
    shown = shown_columns(request, kind, specs)
    columns: list = [(name, None) for name, _ in builtin if name not in shown]
    columns += [(s.name, CustomColumn(s)) for s in specs if s.name in shown]
    choices = [ColumnChoice(name, label, name in shown) for name, label in builtin]
    choices += [ColumnChoice(s.name, s.label, s.name in shown) for s in specs]
    return columns, choices


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


# ---- exports -----------------------------------------------------------------------------------


def export_headers(table) -> list[str]:
    """The headers of a list's export: the columns the table shows, in its order, by label —
    the built-in ones and the custom ones this user chose to show."""
    return [force_str(column.header) for column in table.columns]


def export_rows(table, records: Iterable[Model]) -> Iterator[list]:
    """Each record as the table's shown cells read, as spreadsheet cells.

    A cell is django-tables2's own value of it (its `value_FOO`, `render_FOO` or the column's
    `value`), so an export reads like the page: choices by their label, dates as shown, an
    owner by name, a related record only where the row's visibility flag allows it. Only what a
    spreadsheet must compute with differs from the page: a number stays a number (the page's
    "€125,000" is 125000), and markup (a link, an inline-edit button) is left out. Empty cells
    are empty, not the page's "—". The bound columns are looked up once, as
    crm/templatetags/huddle.py `table_rows` does for the page.
    """
    columns = list(table.columns)
    for record in records:
        row = BoundRow(record, table=table)
        cell = partial(_cell, row)
        yield [row._get_and_render_with(c, render_func=cell, default=None) for c in columns]


def _cell(row: BoundRow, bound_column, value=None):
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    shown = row._call_value(bound_column, value)
    if isinstance(shown, SafeData):  # a render_FOO that writes markup: its text, as read
        return html.unescape(strip_tags(shown))
    if shown is None or isinstance(shown, str | int | float | Decimal | date):
        return shown
    return force_str(shown)  # a record (an owner, a stage) by its name, as the page writes it
