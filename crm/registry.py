"""Registries the apps fill from their AppConfig.ready(), so `crm` never imports an app.

Navigation lives here; global search has its own registry in crm/search.py; later, quick add
and the field requirements of reports are read from here the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


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
