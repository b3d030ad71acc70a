"""The admin's layout of each kind of record's forms: the order of the fields and which are asked
up front (Settings → Layout). Read on every form, cached per process like the custom fields;
a change made here is seen by this process at once and by others within TTL_SECONDS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.apps import apps

TTL_SECONDS = 10.0
_cache: dict[str, object] = {}


@dataclass(frozen=True)
class FormLayout:
    order: tuple[str, ...] = ()
    up_front: frozenset[str] | None = None  # None: the form's own `primary_fields`


NONE = FormLayout()


def forget() -> None:
    _cache.clear()


def _all() -> dict[str, FormLayout]:
    cached = _cache.get("layouts")
    if cached is not None and time.monotonic() - _cache["at"] < TTL_SECONDS:
        return cached
    model = apps.get_model("crm", "Layout")
    layouts = {
        row.kind: FormLayout(tuple(row.order or ()), frozenset(row.up_front or ()))
        for row in model.objects.all()
    }
    _cache.update(layouts=layouts, at=time.monotonic())
    return layouts


def for_kind(kind: str) -> FormLayout:
    return _all().get(kind, NONE) if kind else NONE


def apply(form, kind: str) -> None:
    """Put a form's fields in the admin's order (fields the layout does not name keep their
    place after those it does) and say which the admin wants up front (None: as built)."""
    layout = for_kind(kind)
    if layout.order:
        form.order_fields([name for name in layout.order if name in form.fields])
    form.layout_up_front = layout.up_front
