"""Duplicates caught while typing: existing contacts and companies like the one being entered.

Visible matches show with a link (exact e-mail or phone, similar names, the same e-mail domain
for companies). A match the user may not see appears only for an exact e-mail or phone, as
"already in Huddle, owned by NAME" (crm.visibility.duplicate_hint). Two queries at most.

A contact is matched on any of its e-mails and phones, primary or not, through the lookup table
of its addresses (contacts.ContactHandle): one indexed query whatever was typed.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q

from contacts import addresses
from contacts.models import Company, Contact, ContactHandle
from contacts.normalize import email_domain, normalize_email, normalize_phone, normalize_text
from crm import search, visibility

LIMIT = 5
MIN_PHONE_DIGITS = 6
FREE_MAIL = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "gmx.de",
    "web.de",
    "icloud.com",
    "mail.example",
}


@dataclass(frozen=True)
class Match:
    title: str
    detail: str  # why it matches, or the hint for a record the user may not see
    url: str = ""  # empty for a record the user may not see


def _exact(queryset, user, exclude_pk, reveal: set[str], **values) -> list[Match]:
    """Records equal on any of `values` (field -> normalised value). One the user may not see
    is mentioned only when it matches on a field in `reveal` (exact e-mail or phone)."""
    wanted = {field: value for field, value in values.items() if value}
    if not wanted:
        return []
    condition = reduce(operator.or_, (Q(**{f: v}) for f, v in wanted.items()))
    rows = visibility.with_visible_flag(
        queryset.filter(condition).exclude(pk=exclude_pk).select_related("owner"), user
    )[:LIMIT]
    matches = []
    for row in rows:
        same = [f for f, v in wanted.items() if getattr(row, f) == v]
        if row.is_visible:
            matches.append(
                Match(
                    str(row),
                    "same " + " and ".join(LABELS[f] for f in same),
                    row.get_absolute_url(),
                )
            )
        elif reveal.intersection(same):
            matches.append(Match("", visibility.duplicate_hint(row)))
    return matches


LABELS = {"email_normalized": "e-mail", "phone_normalized": "phone", "domain": "e-mail domain"}


def _similar_names(user, kind: str, name: str, exclude_pk, seen: set[str]) -> list[Match]:
    if len(normalize_text(name)) < 3:
        return []
    found = search.query(user, name, per_kind=LIMIT, kinds=[kind]).get(kind, [])
    return [
        Match(entry.title, "similar name", entry.url)
        for entry in found
        if entry.object_id != exclude_pk and entry.url not in seen
    ]


def contact_duplicates(
    user,
    *,
    name: str = "",
    email: str = "",
    phone: str = "",
    emails=(),
    phones=(),
    exclude_pk=None,
) -> list[Match]:
    """Contacts with any of the e-mails or phones typed (`email` / `phone` the primary ones,
    `emails` / `phones` the others) among any of theirs, then those with a similar name."""
    wanted = {("email", normalize_email(e)) for e in (email, *emails) if "@" in (e or "")} | {
        ("phone", d) for d in map(normalize_phone, (phone, *phones)) if len(d) >= MIN_PHONE_DIGITS
    }
    exact = _same_address(user, wanted, exclude_pk)
    seen = {m.url for m in exact if m.url}
    return (exact + _similar_names(user, "contact", name, exclude_pk, seen))[:LIMIT]


def _same_address(user, wanted: set[tuple[str, str]], exclude_pk) -> list[Match]:
    """Contacts having one of the (kind, normalised address) pairs, by the lookup table; one the
    user may not see is named only by its owner (every match here is an exact one)."""
    if not wanted:
        return []
    kinds = sorted({kind for kind, _ in wanted})
    condition = reduce(
        operator.or_,
        (Q(kind=kind, normalized__in=sorted(v for k, v in wanted if k == kind)) for kind in kinds),
    )
    ids = ContactHandle.objects.filter(condition).values("contact_id")
    rows = visibility.with_visible_flag(
        Contact.objects.filter(pk__in=ids).exclude(pk=exclude_pk).select_related("owner"), user
    )[:LIMIT]
    matches = []
    for row in rows:
        if not row.is_visible:
            matches.append(Match("", visibility.duplicate_hint(row)))
            continue
        same = {kind for kind, _ in wanted & addresses.handles_of(row)}
        detail = " and ".join(addresses.KIND_NAMES[k] for k in ("email", "phone") if k in same)
        matches.append(Match(str(row), f"same {detail or 'address'}", row.get_absolute_url()))
    return matches


def company_duplicates(
    user, *, name: str = "", domain: str = "", email: str = "", phone: str = "", exclude_pk=None
) -> list[Match]:
    domain = (domain or email_domain(email)).strip().lower()
    digits = normalize_phone(phone)
    exact = _exact(
        Company.objects,
        user,
        exclude_pk,
        {"phone_normalized"},
        domain="" if domain in FREE_MAIL else domain,
        phone_normalized=digits if len(digits) >= MIN_PHONE_DIGITS else "",
    )
    seen = {m.url for m in exact if m.url}
    return (exact + _similar_names(user, "company", name, exclude_pk, seen))[:LIMIT]
