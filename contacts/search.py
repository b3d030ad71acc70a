"""How contacts and companies read in global search (see crm/search.py)."""

from contacts import addresses
from contacts.models import Company, Contact
from crm.search import Document, phone_suffixes


def contact_document(contact: Contact) -> Document:
    """Found by its name, every e-mail and phone it has (the primary ones and the others), and
    its company's name; shown with its primary e-mail and phone."""
    company = contact.company.name if contact.company_id and contact.company else ""
    handles = sorted(addresses.handles_of(contact))
    terms = " ".join(
        x
        for x in (
            contact.name_normalized,
            *(value for kind, value in handles if kind == "email"),
            *(phone_suffixes(value) for kind, value in handles if kind == "phone"),
            company.lower(),
        )
        if x
    )
    # The company's name is found by (terms) but not stored for display: crm.search adds it to
    # a hit only for those who may see the company.
    subtitle = " · ".join(x for x in (contact.email, contact.phone) if x)
    return Document(contact.full_name, subtitle, terms)


def company_document(company: Company) -> Document:
    terms = " ".join(
        x
        for x in (company.name_normalized, company.domain, phone_suffixes(company.phone_normalized))
        if x
    )
    return Document(company.name, " · ".join(x for x in (company.domain, company.city) if x), terms)


def company_dependents(company: Company):
    """Contacts and deals quote their company's name in search: a renamed company re-indexes them."""
    return [
        Contact.objects.filter(company=company).select_related("company"),
        company.deals.select_related("company"),
    ]
