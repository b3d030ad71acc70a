"""Who a meeting is with: its attendees and organiser, matched to the contacts the importing
user may see (crm/visibility.py decides), their company and the one open deal that links them.

Addresses compare lower-cased (`MAILTO:Ana.Client@Example.COM` is ana.client@example.com), with
any of a contact's e-mails. An
address of any Huddle user is the user's own or a colleague's: never a contact, never unknown.
Everything else is unknown, listed after the import to be added as a contact in one click.
A few queries per import, whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from contacts.models import Company, Contact, ContactHandle
from deals.models import Deal

CHUNK = 500  # addresses per IN (…): far below any database's limit on parameters


@dataclass
class Match:
    contact_ids: list[int] = field(default_factory=list)
    company_id: int | None = None
    deal_id: int | None = None
    unknown: list[str] = field(default_factory=list)


class Directory:
    """The importing user's view of a set of addresses, looked up once per import."""

    def __init__(self, user, emails: Iterable[str]):
        emails = sorted({e.lower() for e in emails if e})
        self.colleagues = {
            e.lower()
            for e in get_user_model().objects.exclude(email="").values_list("email", flat=True)
        }
        wanted = [e for e in emails if e not in self.colleagues]
        self.contacts: dict[str, list[tuple[int, int | None]]] = {}
        for start in range(0, len(wanted), CHUNK):
            # Any of a contact's addresses, not only the primary (contacts/addresses.py).
            rows = (
                ContactHandle.objects.filter(
                    kind=ContactHandle.Kind.EMAIL,
                    normalized__in=wanted[start : start + CHUNK],
                    contact__in=Contact.objects.visible_to(user).values("pk"),
                )
                .order_by("contact_id")
                .values_list("normalized", "contact_id", "contact__company_id")
            )
            for email, pk, company_id in rows:
                self.contacts.setdefault(email, []).append((pk, company_id))
        company_ids = {c for rows in self.contacts.values() for _, c in rows if c}
        self.visible_companies = set(
            Company.objects.visible_to(user).filter(pk__in=company_ids).values_list("pk", flat=True)
        )
        contact_ids = sorted({pk for rows in self.contacts.values() for pk, _ in rows})
        self.open_deals: dict[int, set[int]] = {}  # contact -> open deals linking them
        for start in range(0, len(contact_ids), CHUNK):
            rows = Deal.contacts.through.objects.filter(
                contact_id__in=contact_ids[start : start + CHUNK],
                deal__in=Deal.objects.visible_to(user).open().values("pk"),
            ).values_list("contact_id", "deal_id")
            for contact_id, deal_id in rows:
                self.open_deals.setdefault(contact_id, set()).add(deal_id)

    def match(self, emails: Iterable[str]) -> Match:
        match = Match()
        companies: set[int] = set()
        for email in emails:
            if email in self.colleagues:
                continue
            rows = self.contacts.get(email)
            if not rows:
                match.unknown.append(email)
                continue
            for pk, company_id in rows:
                if pk not in match.contact_ids:
                    match.contact_ids.append(pk)
                if company_id in self.visible_companies:
                    companies.add(company_id)
        deals = set().union(*(self.open_deals.get(pk, set()) for pk in match.contact_ids))
        if len(deals) == 1:
            match.deal_id = deals.pop()
        if len(companies) == 1:
            match.company_id = companies.pop()
        return match
