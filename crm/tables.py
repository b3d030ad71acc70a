"""django-tables2, tuned: it inspects a callable's signature for every cell it renders.

`inspect.signature` costs about as much as rendering the cell itself, and the answer never
changes for a given function, so it is remembered here (bounded, keyed by the underlying
function). Installed once from CrmConfig.ready().
"""

from __future__ import annotations

import django_tables2.utils
from django.utils.html import escape
from django.utils.safestring import SafeString

from crm.widget_html import escaped

_MAX_ENTRIES = 4096
_uncached_signature = django_tables2.utils.signature
_signatures: dict[tuple[object, bool], tuple] = {}


def _cached_signature(fn):
    bound = hasattr(fn, "__func__")
    key = (fn.__func__ if bound else fn, bound)
    try:
        return _signatures[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable callable: nothing to remember it by
        return _uncached_signature(fn)
    if len(_signatures) >= _MAX_ENTRIES:
        _signatures.clear()
    _signatures[key] = result = _uncached_signature(fn)
    return result


def install() -> None:
    django_tables2.utils.signature = _cached_signature


# ---- a list's cells, rendered per column plan --------------------------------------------------
#
# `BoundRow._get_and_render_with` rebuilds an Accessor, resolves its path twice and looks the
# model field up again for every cell, about two thirds of a list's row cost. A column read
# through one attribute (every column of Huddle's lists) is planned once per table instead; any
# other column (a path, many-to-many, a link column) keeps django-tables2's own rendering.
# tests/crm/test_table_rows.py compares both, cell for cell, for every list table.


class _Plan:
    __slots__ = ("name", "display", "content", "link", "plain_link", "empty", "default", "bound")

    def __init__(self, bound, model):
        self.bound = bound
        self.name = name = bound.accessor
        field = _model_field(model, name)
        self.display = f"get_{name}_display" if getattr(field, "choices", None) else None
        self.content = _content(bound)
        self.link = bound.link
        self.plain_link = _plain_link_target(bound)
        self.empty = bound.column.empty_values
        self.default = bound.default

    def cell(self, row):
        record = row._record
        value = None
        try:
            if self.display and hasattr(record, self.display):
                value = getattr(record, self.display)()
            else:
                value = getattr(record, self.name)
                if callable(value):
                    if getattr(value, "alters_data", False):
                        raise ValueError(self.name)
                    if not getattr(value, "do_not_call_in_templates", False):
                        value = value()
        except Exception:  # as django-tables2: an unreadable value shows the default
            value = None
        if value in self.empty:
            return self.default
        content = self.content(value, record, row)
        if not self.link:
            return content
        if self.plain_link:
            url = _record_url(record, self.plain_link)
            if url is not None:
                return SafeString(f'<a href="{escape(url)}">{escaped(content)}</a>')
        return self.link(
            content,
            value=value,
            record=record,
            column=self.bound.column,
            bound_column=self.bound,
            bound_row=row,
            table=row._table,
        )


def _content(bound):
    """The column's render, called with the arguments it declares, as a function of (value,
    record, row): chosen once per table instead of matched against a dict per cell."""
    from django_tables2.utils import signature

    render, column = bound.render, bound.column
    args, keywords = signature(render)
    wanted = None if keywords else tuple(args)
    if wanted == ("value",):
        return lambda value, record, row: render(value=value)
    if wanted == ("value", "record"):
        return lambda value, record, row: render(value=value, record=record)
    known = ("value", "record", "column", "bound_column", "bound_row", "table")
    if wanted is not None and not all(name in known for name in wanted):
        return lambda value, record, row: None  # as django-tables2: an unknown argument

    def content(value, record, row):
        arguments = {
            "value": value,
            "record": record,
            "column": column,
            "bound_column": bound,
            "bound_row": row,
            "table": row._table,
        }
        if wanted is None:
            return render(**arguments)
        return render(**{name: arguments[name] for name in wanted})

    return content


def _plain_link_target(bound) -> str | None:
    """For `linkify=True` with nothing else, the attribute whose page the cell links to if it
    has one (else the record's page); None for any other link, which django-tables2 renders."""
    from django_tables2.columns.base import LinkTransform

    link = bound.link
    if not (
        type(link) is LinkTransform
        and link.url is None
        and not link.attrs
        and not link.reverse_args
    ):
        return None
    name = str(link.accessor) if link.accessor is not None else bound.name
    return None if "." in name or "__" in name else name


def _record_url(record, name: str) -> str | None:
    """What django-tables2's plain link points to: the page of the attribute `name` if it has
    one (then None: django-tables2's own path takes it), else the record's."""
    if hasattr(getattr(record, name, None), "get_absolute_url"):
        return None
    return record.get_absolute_url() if hasattr(record, "get_absolute_url") else None


def _model_field(model, name):
    from django.core.exceptions import FieldDoesNotExist

    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _plannable(bound) -> bool:
    from django_tables2.columns import ManyToManyColumn
    from django_tables2.columns.linkcolumn import BaseLinkColumn

    accessor = bound.accessor
    return (
        "__" not in accessor
        and "." not in accessor
        and not isinstance(bound.column, ManyToManyColumn | BaseLinkColumn)
    )


def row_cells(table):
    """Each shown row of a table as the list of its cells, each as `BoundRow.get_cell` gives it."""
    model = getattr(table.data, "model", None)
    plans = [
        _Plan(bound, model) if model is not None and _plannable(bound) else bound
        for bound in table.columns
    ]
    for row in table.paginated_rows:
        yield [
            plan.cell(row)
            if isinstance(plan, _Plan)
            else row._get_and_render_with(plan, render_func=row._call_render, default=plan.default)
            for plan in plans
        ]
