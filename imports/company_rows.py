"""A companies file: its columns, and how a row finds its company.

A row matches a visible company by domain (the domain column, else its website's; never a
free-mail domain), else by name (trimmed, case-insensitive): the rules a contacts file's
company column follows (imports/company_match.py). Rows of one file that match each other
are one company.
"""

from __future__ import annotations

from contacts.importing.mapping import CONTACT_ALIASES, Target
from contacts.models import Company, Contact
from crm import search
from deals.models import Deal
from imports import rows
from imports.company_match import FREE_MAIL, domain_of_url, visible_companies
from imports.plan import normalize_text
from imports.record_plan import Item, RecordPlanner
from imports.record_write import normalize_company
from imports.rows import Refused

KIND = "company"
TYPES = {
    "company_name": rows.TEXT,
    "website": rows.URL,
    "domain": rows.TEXT,
    "company_phone": rows.TEXT,
    "city": rows.TEXT,
    "country": rows.TEXT,
    "notes": rows.TEXT,
}
# Target keys that differ from the field they fill ("name" and "phone" mean a person's full
# name and phones to the mapping step).
FIELD_OF = {"company_name": "name", "company_phone": "phone"}


def targets(user) -> list[Target]:
    return [
        Target("company_name", "Name", ("Company", "Company name", *CONTACT_ALIASES["company"])),
        Target("website", "Website", CONTACT_ALIASES["website"]),
        Target("domain", "Domain", ("E-mail domain", "Web domain")),
        Target("company_phone", "Phone", ("Telephone", "Phone number", "Main phone", "Tel")),
        Target("city", "City", CONTACT_ALIASES["city"]),
        Target("country", "Country", ("Country/Region", "Land", "Business Country/Region")),
        Target("notes", "Notes", CONTACT_ALIASES["notes"]),
        Target("owner", "Owner (username or e-mail)", CONTACT_ALIASES["owner"]),
        *rows.custom_targets(KIND, user),
    ]


def parse(row, specs):
    return rows.parse(row, TYPES, specs, FIELD_OF)


def _domain(row) -> str:
    domain = (row.fields.get("domain") or "").strip().lower().removeprefix("www.")
    domain = domain or domain_of_url(row.fields.get("website") or "")
    return "" if domain in FREE_MAIL else domain


class CompanyPlanner(RecordPlanner):
    model = Company
    kind = KIND
    noun = "companies"
    FIELDS = ("name", "domain", "website", "phone", "city", "country", "notes", "custom")
    NORMALIZED = DERIVED = ("name_normalized", "phone_normalized", "domain")

    def normalize(self, record) -> None:
        normalize_company(record)

    def written(self, records, old_keys) -> None:
        """Contacts and deals quote their company's name in search (contacts/search.py)."""
        if records:
            search.refresh_many(
                Contact.objects.filter(company__in=records).select_related("company")
            )
            search.refresh_many(Deal.objects.filter(company__in=records).select_related("company"))

    def __init__(self, user, *, on_match: str = "update"):
        super().__init__(user, on_match=on_match)
        self.by_domain: dict[str, Item] = {}
        self.by_name: dict[str, Item] = {}

    def name(self, item: Item) -> str:
        return item.state["name"]

    def load(self, incoming, *, lock: bool = False) -> None:
        if self.on_match == "create":
            return
        domains = {_domain(row) for row in incoming} - {""}
        names = {normalize_text(row.fields.get("name", "")) for row in incoming} - {""}
        for item in self.existing(visible_companies(self.user, domains, names), lock=lock):
            self.index(item, first=True)

    def index(self, item: Item, *, first: bool = False) -> None:
        put = dict.setdefault if first else dict.__setitem__
        if item.state["domain"]:
            put(self.by_domain, item.state["domain"], item)
        put(self.by_name, normalize_text(item.state["name"]), item)

    def take(self, row, owner):
        domain = _domain(row)
        name = row.fields.get("name", "")
        item = (self.by_domain.get(domain) if domain else None) or self.by_name.get(
            normalize_text(name)
        )
        if item is None and not name:
            raise Refused(row.column("name", "Name"), "No name: a company needs one.")
        row.fields.pop("domain", None)
        # A domain fills a blank one; it never replaces the domain a company is known by.
        if domain and (item is None or not item.state["domain"]):
            return item, {"domain": domain}
        return item, {}
