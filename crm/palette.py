"""The command palette (Ctrl+K): records and actions as you type, opened from the keyboard.

Records come from global search (crm/search.py, one query within visibility); actions from the
registries the apps fill — "New contact", "Log a call" from quick add, "Board", "My day" from
the navigation — plus the settings for an admin. Nothing else is read: the palette answers in
two queries (the user, the search), whatever it finds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from crm import search
from crm.registry import nav_items, quick_add_items

TEMPLATE = "crm/palette.html"
RECORDS_PER_KIND = 5
MAX_QUERY = 100


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    words: tuple[str, ...]  # what typing finds it by: its label's words and a few synonyms
    quick_add: bool = False  # opens the quick-add dialog on that kind instead of a page


def actions_for(user) -> list[Action]:
    actions = [
        Action(
            item.action,
            reverse("quick-add-form", args=[item.key]),
            _words(item.action, item.label, "add new create"),
            quick_add=True,
        )
        for item in quick_add_items()
    ]
    actions += [
        Action(item.label, reverse(item.url_name), _words(item.label, "go open"))
        for item in nav_items
    ]
    if user.is_admin:
        actions.append(Action("Settings", reverse("settings"), _words("Settings admin")))
    return actions


def _words(*texts: str) -> tuple[str, ...]:
    return tuple(" ".join(texts).lower().split())


def matching(actions: list[Action], text: str) -> list[Action]:
    """Actions whose words start with every word typed ("log c" finds "Log a call")."""
    typed = text.lower().split()
    return [a for a in actions if all(any(w.startswith(t) for w in a.words) for t in typed)]


@require_GET
def palette(request):
    """The palette's results for `q` (HTMX); without JavaScript, the same as a page.

    Actions whose label starts with what was typed lead ("new" → New contact); the records
    follow, grouped by kind; the other matching actions come last.
    """
    text = request.GET.get("q", "").strip()[:MAX_QUERY]
    actions = matching(actions_for(request.user), text)
    leading = [a for a in actions if a.label.lower().startswith(text.lower())]
    groups = search.grouped(request.user, text, RECORDS_PER_KIND)
    context = {
        "title": "Go to",
        "query": text,
        "leading": leading,
        "groups": groups,
        "trailing": [a for a in actions if a not in leading],
        "search_all": len(text) >= search.MIN_LENGTH,
    }
    fragment = request.htmx and not request.htmx.boosted
    return render(request, f"{TEMPLATE}#results" if fragment else TEMPLATE, context)
