"""Which company a row means, shared by every kind of import: a company matches by the domain
of its website (or of an e-mail address of the row, never a free-mail one), else by name
(trimmed, case-insensitive) — among the companies the importing user can see, only. A name
no visible company has becomes a planned new company, one per name within a file."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Q

from contacts.models import Company
from imports.plan import normalize_text

# Addresses a company domain must never be taken from.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.de",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "gmx.at",
        "gmx.ch",
        "web.de",
        "t-online.de",
        "freenet.de",
        "posteo.de",
        "mailbox.org",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "zoho.com",
        "yandex.ru",
        "mail.ru",
        "fastmail.com",
        "hey.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "virgilio.it",
    ]
)


def domain_of_url(text: str) -> str:
    text = text.strip().lower()
    if not text:
        return ""
    host = urlsplit(text if "//" in text else "//" + text).hostname or ""
    return host.removeprefix("www.")


def domain_of_email(email: str) -> str:
    domain = email.rpartition("@")[2].lower()
    return "" if domain in FREE_MAIL else domain


def website(text: str) -> str:
    """A website as Company.website stores it (a URL with its scheme)."""
    return text if not text or "//" in text else "https://" + text


@dataclass
class CompanyPlan:
    name: str
    domain: str = ""
    website: str = ""
    existing: Company | None = None
    owner: object = None
    created: Company | None = None  # set once written
    wanted: bool = False  # named by a row of its own (a company card), not only by its people
    planned = True  # tells a CompanyPlan from a Company in a record's state

    @property
    def record(self) -> Company | None:
        return self.existing or self.created


def visible_companies(user, domains, names):
    """The visible companies any of these domains or normalised names could match, oldest
    first (the first of several same-named ones is the match)."""
    if not domains and not names:
        return Company.objects.none()
    query = Q(domain__in=sorted(domains)) | Q(name_normalized__in=sorted(names))
    return Company.objects.visible_to(user).filter(query).order_by("pk")


class Companies:
    """The companies rows name: loaded once per import, then found or planned per row."""

    def __init__(self, user, planned: list):
        self.user = user
        self.planned = planned  # the plan's list of companies: new ones are appended
        self.by_domain: dict[str, CompanyPlan] = {}
        self.by_name: dict[str, CompanyPlan] = {}

    def load(self, domains: set[str], names: set[str]) -> None:
        for company in visible_companies(self.user, domains, names):
            plan = CompanyPlan(company.name, company.domain, company.website, existing=company)
            if company.domain:
                self.by_domain.setdefault(company.domain, plan)
            self.by_name.setdefault(company.name_normalized, plan)

    def find(self, name: str, domain: str = "") -> CompanyPlan | None:
        found = self.by_domain.get(domain) if domain else None
        return found or self.by_name.get(normalize_text(name))

    def get(self, name: str, *, domain: str = "", url: str = "", owner=None) -> CompanyPlan:
        """The company a row names: a visible one, one planned by an earlier row, or a new one
        planned now."""
        found = self.find(name, domain)
        if found is None:
            found = CompanyPlan(
                name.strip()[:200], domain=domain[:120], website=url.strip()[:200], owner=owner
            )
            self.planned.append(found)
            self.by_name[normalize_text(name)] = found
        if domain and found.domain in ("", domain):
            self.by_domain.setdefault(domain, found)
        return found
