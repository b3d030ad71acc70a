"""The records a row of a deals or activities file names by text, found among those the
importing user can see: contacts by e-mail (any of their addresses), else by full name; deals
by title. Several cells may name several contacts (`;` or Google's ` ::: ` between them). A
name nobody visible has is reported the same way whether such a record exists or not."""

from __future__ import annotations

import re

from contacts.models import Contact, ContactHandle
from deals.models import Deal
from imports.plan import CHUNK, normalize_email, normalize_text

_SPLIT = re.compile(r"\s*(?:;|:::)\s*")


def names(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part]


class Contacts:
    def __init__(self, user):
        self.user = user
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}

    def load(self, texts) -> None:
        emails = sorted({normalize_email(t) for t in texts if "@" in t} - {""})
        full_names = sorted({normalize_text(t) for t in texts if "@" not in t} - {""})
        visible = Contact.objects.visible_to(self.user)
        for start in range(0, len(emails), CHUNK):
            handles = ContactHandle.objects.filter(
                kind="email",
                normalized__in=emails[start : start + CHUNK],
                contact__in=visible,
            ).order_by("contact_id")
            for contact_id, email in handles.values_list("contact_id", "normalized"):
                self.by_email.setdefault(email, contact_id)
        for start in range(0, len(full_names), CHUNK):
            found = visible.filter(name_normalized__in=full_names[start : start + CHUNK])
            for pk, name in found.order_by("pk").values_list("pk", "name_normalized"):
                self.by_name.setdefault(name, pk)

    def find(self, text: str) -> int | None:
        if "@" in text:
            return self.by_email.get(normalize_email(text))
        return self.by_name.get(normalize_text(text))


class Deals:
    def __init__(self, user):
        self.user = user
        self.by_title: dict[str, Deal] = {}

    def load(self, titles) -> None:
        titles = sorted({normalize_text(t) for t in titles} - {""})
        for start in range(0, len(titles), CHUNK):
            found = Deal.objects.visible_to(self.user).filter(
                title_normalized__in=titles[start : start + CHUNK]
            )
            for deal in found.order_by("pk"):
                self.by_title.setdefault(deal.title_normalized, deal)

    def find(self, title: str) -> Deal | None:
        return self.by_title.get(normalize_text(title))


def link_contacts(planner, row, current: frozenset, noun: str) -> frozenset:
    """The contacts the row's contact cell names, added to `current`; a name no visible contact
    has is a warning, and the record imports without it."""
    found = set(current)
    for text in names(row.refs.get("contacts", "")):
        pk = planner.contacts.find(text)
        if pk is None:
            planner.plan.warnings.append(
                f"Row {row.number}: no contact “{text}” among the contacts you can see; "
                f"the {noun} is imported without it."
            )
        else:
            found.add(pk)
    return frozenset(found)
