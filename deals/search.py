"""How deals read in global search (see crm/search.py)."""

from crm.search import Document
from deals.models import Deal


def deal_document(deal: Deal) -> Document:
    company = deal.company.name if deal.company_id and deal.company else ""
    terms = " ".join(x for x in (deal.title_normalized, company.lower()) if x)
    # The company's name is shown by crm.search, only to those who may see the company.
    return Document(deal.title, "", terms)
