"""django-tables2, tuned: it inspects a callable's signature for every cell it renders.

`inspect.signature` costs about as much as rendering the cell itself, and the answer never
changes for a given function, so it is remembered here (bounded, keyed by the underlying
function). Installed once from CrmConfig.ready().
"""

from __future__ import annotations

import django_tables2.utils

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
    __slots__ = ("name", "display", "render", "wanted", "link", "empty", "default", "bound")

    def __init__(self, bound, model):
        from django_tables2.utils import signature

        self.bound = bound
        self.name = name = bound.accessor
        field = _model_field(model, name)
        self.display = f"get_{name}_display" if getattr(field, "choices", None) else None
        self.render = bound.render
        args, keywords = signature(bound.render)
        self.wanted = None if keywords else tuple(args)
        self.link = bound.link
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
        arguments = {
            "value": value,
            "record": record,
            "column": self.bound.column,
            "bound_column": self.bound,
            "bound_row": row,
            "table": row._table,
        }
        if self.wanted is None:
            content = self.render(**arguments)
        elif all(name in arguments for name in self.wanted):
            content = self.render(**{name: arguments[name] for name in self.wanted})
        else:
            content = None
        return self.link(content, **arguments) if self.link else content


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
