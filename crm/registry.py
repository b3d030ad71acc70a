"""Registries the apps fill from their AppConfig.ready(), so `crm` never imports an app.

Global search asks every registered search provider; later, quick add and the field
requirements of reports are read from here the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "Contact", "Company", "Deal"
    title: str
    subtitle: str
    url: str


# A provider takes (user, query, limit) and returns SearchHits the user may see.
SearchProvider = Callable[[object, str, int], list[SearchHit]]

search_providers: dict[str, SearchProvider] = {}


def register_search_provider(name: str, provider: SearchProvider) -> None:
    search_providers[name] = provider


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
