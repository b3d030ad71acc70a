"""Search providers for the global search: contacts and companies the user may see."""

from django.db.models import Q

from contacts.models import Company, Contact
from contacts.normalize import normalize_email, normalize_phone, normalize_text
from crm.registry import SearchHit


def _phone_q(query: str, field: str) -> Q:
    digits = normalize_phone(query)
    # Only a query that is mostly digits is a phone number; "3" alone would match everything.
    if len(digits) >= 3 and len(digits) >= len(query.replace(" ", "")) - 3:
        return Q(**{f"{field}__contains": digits})
    return Q(pk__in=[])


def search_contacts(user, query: str, limit: int) -> list[SearchHit]:
    text = normalize_text(query)
    q = (
        Q(name_normalized__contains=text)
        | Q(email_normalized__startswith=normalize_email(query))
        | Q(company__name_normalized__startswith=text)
        | _phone_q(query, "phone_normalized")
    )
    rows = (
        Contact.objects.visible_to(user)
        .filter(q)
        .select_related("company")
        .only("first_name", "last_name", "email", "phone", "company__name")
        .order_by("name_normalized", "id")[:limit]
    )
    return [
        SearchHit(
            "Contact",
            c.full_name,
            " · ".join(x for x in (c.company.name if c.company else "", c.email, c.phone) if x),
            c.get_absolute_url(),
        )
        for c in rows
    ]


def search_companies(user, query: str, limit: int) -> list[SearchHit]:
    text = normalize_text(query)
    q = (
        Q(name_normalized__contains=text)
        | Q(domain__startswith=text)
        | _phone_q(query, "phone_normalized")
    )
    rows = (
        Company.objects.visible_to(user)
        .filter(q)
        .only("name", "domain", "city")
        .order_by("name_normalized", "id")[:limit]
    )
    return [
        SearchHit(
            "Company", c.name, " · ".join(x for x in (c.domain, c.city) if x), c.get_absolute_url()
        )
        for c in rows
    ]
