"""The admin's layout of each kind of record (Settings → Layout): the order of its fields — in
the forms and on the detail page alike —, which the forms ask up front, and which built-in
columns its list shows by default. Read on every form, detail page and list, cached per process
like the custom fields; a change made here is seen by this process at once and by others within
TTL_SECONDS.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from crm import custom_fields

TTL_SECONDS = 10.0
_cache: dict[str, object] = {}


@dataclass(frozen=True)
class KindLayout:
    order: tuple[str, ...] = ()
    up_front: frozenset[str] | None = None  # None: the form's own `primary_fields`
    columns: tuple[str, ...] = ()  # the built-in list columns shown by default; (): all


NONE = KindLayout()


def forget() -> None:
    _cache.clear()


def _all() -> dict[str, KindLayout]:
    cached = _cache.get("layouts")
    if cached is not None and time.monotonic() - _cache["at"] < TTL_SECONDS:
        return cached
    model = apps.get_model("crm", "Layout")
    layouts = {
        row.kind: KindLayout(
            tuple(row.order or ()), frozenset(row.up_front or ()), tuple(row.columns or ())
        )
        for row in model.objects.all()
    }
    _cache.update(layouts=layouts, at=time.monotonic())
    return layouts


def for_kind(kind: str) -> KindLayout:
    return _all().get(kind, NONE) if kind else NONE


def apply(form, kind: str) -> None:
    """Put a form's fields in the admin's order (fields the layout does not name keep their
    place after those it does) and say which the admin wants up front (None: as built)."""
    layout = for_kind(kind)
    if layout.order:
        form.order_fields([name for name in layout.order if name in form.fields])
    form.layout_up_front = layout.up_front


def in_order(names: Iterable[str], order: Sequence[str], nameable: Callable[[str], bool]):
    """`names` (a page's facts, as built) in the admin's `order`.

    Those the order names come first, in its order; those it could name but does not (a field
    added since the layout was saved) keep their place after, as in the form. A fact the layout
    cannot name at all — it is no field of the form, like a deal's "Next step" — stays with the
    fact it follows on the page as built, so the admin's order never strands it at the bottom.
    """
    names = list(names)
    if not order:
        return names
    rank = {name: i for i, name in enumerate(order)}
    runs: list[list[str]] = []
    for name in names:
        if runs and name not in rank and not nameable(name):
            runs[-1].append(name)
        else:
            runs.append([name])
    named = sorted((run for run in runs if run[0] in rank), key=lambda run: rank[run[0]])
    rest = [run for run in runs if run[0] not in rank]
    return [name for run in named + rest for name in run]


# ---- detail pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One fact on a record's detail page, built-in or custom."""

    name: str  # its field's name in the form ("amount", "custom_region"), or the fact's own
    label: str
    editable: bool  # the viewer may change it in place on this page
    value: str = ""  # a custom field: its value as HTML (a button that edits it, if editable)
    partial: str = ""  # a built-in fact: the page's partial that shows it (label and value)


def detail_facts(record, user, builtin: Sequence[str], *, can_edit: bool, page: str) -> list[Fact]:
    """The facts of this record for this user, in the admin's layout order: the page's built-in
    facts (each shown by its partial `<page>#fact-<name>`, which keeps its own markup) and the
    custom fields the role sees, interleaved as the admin placed them in the form.

    Costs no query: the layout and the custom fields are cached, the values are the record's.
    """
    # crm.inline reaches crm.forms, which reads this module: imported when a page is shown.
    from crm import inline
    from crm.registry import inline_fields, record_forms

    kind = getattr(record, "policy_key", "")
    in_place = inline_fields.get(record._meta.label, ())
    facts = {
        name: Fact(
            name,
            _label(record, name),
            editable=can_edit and name in in_place,
            partial=f"{page}#fact-{name}",
        )
        for name in builtin
    }
    for spec in custom_fields.seen_by(kind, user):
        facts[spec.name] = Fact(
            spec.name,
            spec.label,
            editable=can_edit and spec.edits(user) and spec.type not in inline.NOT_INLINE_TYPES,
            value=inline.custom_cell(record, spec, user, editable=can_edit),
        )
    form_fields = getattr(record_forms.get(kind), "base_fields", {})

    def nameable(name: str) -> bool:
        return name in form_fields or name.startswith(custom_fields.FORM_PREFIX)

    return [facts[name] for name in in_order(facts, for_kind(kind).order, nameable)]


def _label(record, name: str) -> str:
    try:
        return str(record._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()
