"""What importing a contacts file would do, decided before anything is written.

The same planning serves the preview and the import itself (which plans again inside its
transaction, so it acts on the data as it is then, not as it was at preview time).

Matching, in order (over the contacts the importing user can see, only):
1. by e-mail — any address of the row against any address of a contact, case-insensitively;
2. else by phone (normalised), where no e-mail contradicts and the names agree — colleagues
   sharing a switchboard number stay two people;
3. else by name and company (trimmed, case-insensitive), where no e-mail contradicts.
Rows of one file that match each other are merged into one person. A company matches by the
domain of its website or of the row's e-mail (never a free-mail domain), else by name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from contacts import addresses
from contacts.models import Company, Contact, ContactHandle
from crm import custom_fields
from imports import plan as base
from imports.company_match import (
    Companies,
    CompanyPlan,
    domain_of_email,
    domain_of_url,
)
from imports.contact_rows import Incoming
from imports.plan import (
    CHUNK,
    Owners,
    RowOutcome,
    normalize_email,
    normalize_phone,
    normalize_text,
)
from imports.rows import Refused, RowError

# The contact fields an import writes (and an undo restores).
FIELDS = (
    "first_name",
    "last_name",
    "job_title",
    "city",
    "notes",
    "birthday",
    "email",
    "email_label",
    "emails",
    "phone",
    "phone_label",
    "phones",
    "company",
    "custom",
)


@dataclass
class Person:
    """One contact after the file: an existing one (visible to the importer) or a new one."""

    state: dict  # FIELDS -> value; company as a CompanyPlan or None
    first_row: int
    existing: Contact | None = None
    editable: bool = True
    before: dict = field(default_factory=dict)
    owner: object = None  # new contacts only
    checked: Contact | None = None  # the new contact as last validated, reused to write it
    rows: list = field(default_factory=list)

    @property
    def name_key(self) -> str:
        return normalize_text(f"{self.state['first_name']} {self.state['last_name']}".strip())

    def email_keys(self) -> set[str]:
        keys = {normalize_email(self.state["email"])} if self.state["email"] else set()
        keys |= {normalize_email(e["value"]) for e in self.state["emails"]}
        return keys - {""}

    def phone_keys(self) -> set[str]:
        keys = {normalize_phone(self.state["phone"])} if self.state["phone"] else set()
        keys |= {normalize_phone(p["value"]) for p in self.state["phones"]}
        return keys - {""}

    def company_key(self) -> str:
        company = self.state["company"]
        if isinstance(company, CompanyPlan):
            return normalize_text(company.name)
        return normalize_text(company.name) if company is not None else ""

    def changed(self) -> list[str]:
        return [name for name in FIELDS if _comparable(self.state[name]) != self.before[name]]


class Plan(base.Plan):
    @property
    def persons(self) -> list[Person]:
        return self.records


def _comparable(value):
    if isinstance(value, CompanyPlan):
        return value.existing.pk if value.existing is not None else ("new", value.name)
    if isinstance(value, Company):
        return value.pk
    if isinstance(value, list):
        return [dict(item) for item in value]
    if isinstance(value, dict):
        return dict(value)
    return value


def _state_of(contact: Contact) -> dict:
    state = {name: getattr(contact, name) for name in FIELDS if name != "company"}
    state["emails"] = [dict(e) for e in contact.emails or []]
    state["phones"] = [dict(p) for p in contact.phones or []]
    state["custom"] = dict(contact.custom or {})
    state["company"] = contact.company
    return state


def _blank_state() -> dict:
    state = {name: "" for name in FIELDS}
    state.update(email_label="work", phone_label="work", emails=[], phones=[], custom={})
    state["company"] = None
    return state


class Planner:
    def __init__(self, user, *, on_match: str = "update"):
        self.user = user
        self.on_match = on_match
        self.plan = Plan()
        self.by_email: dict[str, Person] = {}
        self.by_phone: dict[str, list[Person]] = defaultdict(list)
        self.by_name_company: dict[tuple[str, str], Person] = {}
        self.companies = Companies(user, self.plan.companies)
        self.owners = Owners(user, Contact, "contacts")

    # ---- loading what the file could match --------------------------------------------------

    def load(self, rows: list[Incoming], *, lock: bool = False) -> None:
        """The visible contacts and companies any row could match, in a few batched queries."""
        emails, phones, names = set(), set(), set()
        domains, company_names = set(), set()
        for row in rows:
            emails |= {normalize_email(value) for _, value, _ in row.emails}
            phones |= {normalize_phone(value) for _, value, _ in row.phones}
            names.add(normalize_text(row.full_name))
            if row.company:
                company_names.add(normalize_text(row.company))
                domains |= {self._row_domain(row)} - {""}
        if self.on_match != "create":
            self._load_contacts(emails - {""}, phones - {""}, names - {""}, lock=lock)
        self.companies.load(domains, company_names)

    def _load_contacts(self, emails, phones, names, *, lock: bool) -> None:
        visible = Contact.objects.visible_to(self.user)
        ids: set[int] = set()
        for kind, values in (("email", emails), ("phone", phones)):
            values = sorted(values)
            for start in range(0, len(values), CHUNK):
                # Any contact with the address; which of them this user may see is decided
                # below, when they are loaded through `visible`.
                ids |= set(
                    ContactHandle.objects.filter(
                        kind=kind, normalized__in=values[start : start + CHUNK]
                    ).values_list("contact_id", flat=True)
                )
        names = sorted(names)
        for start in range(0, len(names), CHUNK):
            ids |= set(
                visible.filter(name_normalized__in=names[start : start + CHUNK]).values_list(
                    "pk", flat=True
                )
            )
        ids = sorted(ids)
        editable: set[int] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            queryset = visible.filter(pk__in=chunk).select_related("company").order_by("pk")
            if lock:
                queryset = queryset.select_for_update(of=("self",))
            contacts = list(queryset)
            editable |= set(
                Contact.objects.editable_by(self.user)
                .filter(pk__in=chunk)
                .values_list("pk", flat=True)
            )
            for contact in contacts:
                state = _state_of(contact)
                person = Person(
                    state=state,
                    first_row=0,
                    existing=contact,
                    editable=contact.pk in editable,
                    before={name: _comparable(value) for name, value in state.items()},
                )
                self._index(person)

    # ---- indexes -------------------------------------------------------------------------------

    def _index(self, person: Person) -> None:
        for key in person.email_keys():
            self.by_email.setdefault(key, person)
        for key in person.phone_keys():
            if person not in self.by_phone[key]:
                self.by_phone[key].append(person)
        self.by_name_company.setdefault((person.name_key, person.company_key()), person)

    def _match(self, row: Incoming) -> Person | None:
        row_emails = {normalize_email(value) for _, value, _ in row.emails} - {""}
        for key in sorted(row_emails):
            if key in self.by_email:
                return self.by_email[key]
        name = normalize_text(row.full_name)

        def agrees(person: Person) -> bool:
            theirs = person.email_keys()
            return not (row_emails and theirs and not row_emails & theirs)

        for _, value, _ in row.phones:
            for person in self.by_phone.get(normalize_phone(value), ()):
                if agrees(person) and person.name_key == name:
                    return person
        person = self.by_name_company.get((name, normalize_text(row.company)))
        return person if person is not None and agrees(person) else None

    # ---- companies and owners -----------------------------------------------------------------

    def _row_domain(self, row: Incoming) -> str:
        if row.website:
            return domain_of_url(row.website)
        for _, value, _ in row.emails:
            domain = domain_of_email(value)
            if domain:
                return domain
        return ""

    def _company(self, row: Incoming, owner) -> CompanyPlan | None:
        if not row.company:
            return None
        return self.companies.get(
            row.company, domain=self._row_domain(row), url=row.website or "", owner=owner
        )

    # ---- rows ------------------------------------------------------------------------------------

    def add(self, row: Incoming | RowError) -> None:
        if isinstance(row, RowError):
            self._error(row)
            return
        if row.company_only:
            company = self._company(row, self.user)
            company.wanted = True
            known = "already in Huddle" if company.existing is not None else "a new company"
            self.plan.outcomes.append(
                RowOutcome(row.number, "company", company.name, f"no person named: {known}")
            )
            return
        person = self._match(row)
        try:
            owner = (
                self.owners.of(row.owner, row.columns.get("owner", "Owner"))
                if person is None or person.existing is None
                else None
            )
        except Refused as refused:
            self._error(RowError(row.number, refused.column, refused.message))
            return
        person, status = self.plan.admit(
            person, lambda: Person(state=_blank_state(), first_row=row.number, owner=owner)
        )
        previous = _merge(person, row, self._company(row, person.owner or self.user))
        error = _invalid(person, row)
        if error is not None:
            person.state = previous  # the row is left out whole
            person.checked = None  # built from the refused state: not what is written
            self.plan.refuse(person, status, error)
            return
        name = f"{person.state['first_name']} {person.state['last_name']}".strip()
        self.plan.took(person, row.number, status, name, same="person")
        self._index(person)

    def _error(self, error: RowError) -> None:
        self.plan.error(error)

    def finish(self) -> Plan:
        """Each matched or merged row's final status, now that every row is in."""
        self.plan.settle(self.on_match, ((p.first_row, p) for p in self.plan.persons))
        return self.plan


def _merge(person: Person, row: Incoming, company: CompanyPlan | None) -> dict:
    """Fold the row into the person: a value replaces, a blank cell never erases; e-mails and
    phones the person lacks are added. Returns the state before, to undo a refused row."""
    previous = {
        name: (list(map(dict, v)) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
        for name, v in person.state.items()
    }
    state = person.state
    for name, value in row.fields.items():
        state[name] = value
    if row.custom:
        state["custom"] = {**state["custom"], **row.custom}
    if company is not None:
        current = state["company"]
        same = current is company or (
            isinstance(current, Company)
            and company.existing is not None
            and company.existing.pk == current.pk
        )
        if not same:
            state["company"] = company.existing if company.existing is not None else company
    _add_handles(state, "email", row.emails, normalize_email)
    _add_handles(state, "phone", row.phones, normalize_phone)
    return previous


def _add_handles(state: dict, kind: str, handles: list, normalize) -> None:
    known = {normalize(state[kind])} if state[kind] else set()
    known |= {normalize(item["value"]) for item in state[f"{kind}s"]}
    for label, value, _primary in sorted(handles, key=lambda h: not h[2]):
        key = normalize(value)
        if not key or key in known:
            continue
        known.add(key)
        if not state[kind]:
            state[kind], state[f"{kind}_label"] = value, label
        elif len(state[f"{kind}s"]) < addresses.MAX_OTHERS:
            state[f"{kind}s"] = [*state[f"{kind}s"], {"label": label, "value": value}]


_NOT_WRITTEN = [f.name for f in Contact._meta.concrete_fields if f.name not in FIELDS] + [
    "company",
    "custom",
]


def _invalid(person: Person, row: Incoming) -> RowError | None:
    """The person as the row leaves them, checked as every write is (model and custom field
    validation), so the preview shows the error the import would meet."""
    if person.existing is not None and not person.changed():
        return None  # nothing of theirs would be written
    contact = Contact(**{k: v for k, v in person.state.items() if k != "company"})
    person.checked = contact
    try:
        contact.clean_fields(exclude=_NOT_WRITTEN)
        custom_fields.validate_values("contact", contact.custom)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            name, messages = next(iter(error.message_dict.items()))
        else:
            name, messages = "custom", error.messages
        column = row.columns.get(name.rstrip("s"), row.columns.get(name, name.replace("_", " ")))
        return RowError(row.number, column, " ".join(messages))
    return None
