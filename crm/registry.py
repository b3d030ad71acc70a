"""Registries the apps fill from their AppConfig.ready(), so `crm` never imports an app.

Navigation, inline-editable fields, the quick-add forms and the exporting lists live here;
global search has its own registry in crm/search.py, the field requirements of reports theirs in
crm/requirements.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int


nav_items: list[NavItem] = []


def register_nav_item(label: str, url_name: str, order: int) -> None:
    if not any(item.url_name == url_name for item in nav_items):
        nav_items.append(NavItem(label, url_name, order))
        nav_items.sort(key=lambda item: item.order)


# Fields that may be edited in place (fix lists, tables, detail pages), per model label.
inline_fields: dict[str, set[str]] = {}


def register_inline_fields(model_label: str, *names: str) -> None:
    inline_fields.setdefault(model_label, set()).update(names)


# Quick add ("+ Add", the "n" key, the palette's "New …" actions): the forms the apps offer, by key.
@dataclass(frozen=True)
class QuickAdd:
    key: str
    label: str  # the dialog's tab: "Contact", "Call"
    form_class: type  # an OwnedModelForm; crm/quick_add.py keeps only its up-front fields
    order: int
    # Fixed values of the new record (e.g. the kind of an activity), not asked for; a callable
    # is called per form, so `timezone.now` means the moment of adding.
    initial: dict
    action: str  # how the command palette offers it: "New contact", "Log a call"


quick_adds: dict[str, QuickAdd] = {}


def register_quick_add(
    key: str,
    label: str,
    form_class: type,
    order: int,
    *,
    initial: dict | None = None,
    action: str | None = None,
) -> None:
    quick_adds[key] = QuickAdd(
        key, label, form_class, order, dict(initial or {}), action or f"New {label.lower()}"
    )


def quick_add_items() -> list[QuickAdd]:
    return sorted(quick_adds.values(), key=lambda item: (item.order, item.key))


# The full form of each kind of record ("contact" -> ContactForm): Settings → Layout arranges its
# fields (crm/layout_settings.py).
record_forms: dict[str, type] = {}


def register_record_form(kind: str, form_class: type) -> None:
    record_forms[kind] = form_class


# The lists that export (the pages' "Export this list" links and `manage.py export`), by name.
@dataclass(frozen=True)
class ExtraFormat:
    content_type: str
    # (the list's records, filtered and sorted as on the page) -> the file, as byte chunks
    write: Callable[[Iterable], Iterator[bytes]]


@dataclass(frozen=True)
class ListExport:
    """What a list page is made of, so its export (and `manage.py export`) reads exactly the
    records, columns and order the page shows: the same queryset for the user, the same
    filters, the same table. The page and the export both build from this one entry."""

    name: str  # "contacts": the command's MODEL and the file name (huddle-contacts.csv)
    records: Callable  # user -> the records the list shows that user, before its filters
    filterset_class: type
    table_class: type
    url_name: str  # the export view, "contacts:export" (called with fmt)
    formats: dict[str, ExtraFormat] = field(default_factory=dict)  # beyond CSV and XLSX


list_exports: dict[str, ListExport] = {}


def register_list_export(
    name: str,
    *,
    records: Callable,
    filterset_class: type,
    table_class: type,
    url_name: str,
    formats: dict[str, ExtraFormat] | None = None,
) -> None:
    list_exports[name] = ListExport(
        name, records, filterset_class, table_class, url_name, dict(formats or {})
    )
