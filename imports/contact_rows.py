"""A mapped row of a contacts file, parsed into typed values: the built-in fields, the custom
fields (by label) and the row's e-mails and phones. A cell that cannot be read is an error of
its row and column, and that row is left out whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from contacts.importing import values as cells
from contacts.importing.mapping import CONTACT_ALIASES, MappedRow, Target
from contacts.importing.values import CellError
from crm import spreadsheet
from imports.rows import CUSTOM_PREFIX, RowError, custom_targets, custom_value

KIND = "contact"
# Built-in contact fields a file may fill, with the labels the mapping step shows.
BUILTIN = {
    "first_name": "First name",
    "last_name": "Last name",
    "company": "Company",
    "job_title": "Job title",
    "email": "E-mail",
    "phone": "Phone",
    "birthday": "Birthday",
    "city": "City",
    "notes": "Notes",
    "owner": "Owner (username or e-mail)",
    "website": "Company website",
}
TEXT_FIELDS = ("first_name", "last_name", "job_title", "city", "notes")


def targets(user) -> list[Target]:
    """What a column may feed: the built-ins, then the custom fields this user may edit."""
    result = [Target(key, label, CONTACT_ALIASES.get(key, ())) for key, label in BUILTIN.items()]
    return result + custom_targets(KIND, user)


@dataclass
class Incoming:
    """One row's values, typed; only what the row actually holds (blank cells are absent)."""

    number: int
    fields: dict = field(default_factory=dict)  # built-in field -> value
    custom: dict = field(default_factory=dict)  # custom key -> stored JSON value
    emails: list = field(default_factory=list)  # [(label, value, primary)]
    phones: list = field(default_factory=list)
    company: str = ""
    website: str = ""
    owner: str = ""
    company_only: bool = False  # no person named: a company card (Google, iCloud)
    columns: dict = field(default_factory=dict)  # target key -> header, for messages

    @property
    def full_name(self) -> str:
        return f"{self.fields.get('first_name', '')} {self.fields.get('last_name', '')}".strip()


def parse(row: MappedRow, specs: dict, *, dayfirst: bool = False) -> Incoming | RowError:
    """The row's typed values, or the first cell that cannot be read."""
    incoming = Incoming(number=row.number, columns=dict(row.columns))
    for key, text in row.values.items():
        text = spreadsheet.unescape(text.strip())
        if not text:
            continue
        column = row.columns.get(key, key)
        try:
            if key in TEXT_FIELDS:
                incoming.fields[key] = text
            elif key == "birthday":
                birthday = cells.parse_birthday(text, dayfirst=dayfirst)
                if birthday is not None:
                    incoming.fields["birthday"] = birthday.iso()
            elif key == "company":
                incoming.company = text
            elif key == "website":
                incoming.website = text
            elif key == "owner":
                incoming.owner = text
            elif key.startswith(CUSTOM_PREFIX):
                spec = specs.get(key[len(CUSTOM_PREFIX) :])
                if spec is not None:
                    stored = custom_value(spec, text, dayfirst=dayfirst)
                    if stored is not None:
                        incoming.custom[spec.key] = stored
        except CellError as error:
            return RowError(row.number, column, str(error))
    if not incoming.fields.get("last_name"):
        first = incoming.fields.pop("first_name", "")
        if not first and incoming.company:
            incoming.company_only = True
            return incoming
        if not first:
            return RowError(row.number, row.columns.get("last_name", "Last name"), "No name.")
        incoming.fields["last_name"] = first  # a person known by one name (Google: "Madonna")
    for handle in row.emails:
        try:
            value = cells.parse_email(spreadsheet.unescape(handle.value.strip()))
        except CellError as error:
            return RowError(row.number, handle.column or "E-mail", str(error))
        if value:
            incoming.emails.append((handle.label, value, handle.primary))
    for handle in row.phones:
        value = spreadsheet.unescape(handle.value.strip())
        if value:
            incoming.phones.append((handle.label, value, handle.primary))
    return incoming
