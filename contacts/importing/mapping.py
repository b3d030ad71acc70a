"""Which column of an import file feeds which Huddle field: guessed from the headers, edited by
the person importing, then applied to every row.

Targets come from the caller (`Target`: the field registry's built-in and custom fields, each
with the header names it answers to). `CONTACT_ALIASES` holds those names for the built-in
contact fields, taken from the real exports people bring:

- Google Contacts, current CSV ("First Name", "Middle Name", "Last Name", "Organization Name",
  "Organization Title", "E-mail 1 - Label" / "E-mail 1 - Value", "Phone 1 - Label" / …,
  "Address 1 - City", "Birthday", "Notes", "Labels") and the legacy Google CSV, often UTF-16
  ("Name", "Given Name", "Additional Name", "Family Name", "E-mail 1 - Type" / "- Value",
  "Organization 1 - Name", "Organization 1 - Title", "Group Membership").
- Outlook CSV as outlook.com and Google write it (61 columns) and Outlook for Windows' export
  (92 columns): "E-mail Address", "E-mail 2 Address", "Business Phone", "Mobile Phone",
  "Home Phone", "Company", "Job Title", "Business City", "Birthday", "Notes". Its "Title" is a
  salutation (Mr., Dr.), not a job title: "Title" means a job title only in a file without
  Outlook's "Suffix" / "Middle Name" beside it (Huddle's own export, a hand-made sheet).
- Huddle's own names, which its vCard reader writes ("E-mail (work)", "Phone (mobile)", …).

Header names compare without case, spaces, punctuation or accents ("E-mail 2 Address" is
"email 2 address"); a custom field is found by its label. Several columns may feed one field:
e-mails and phones collect all of them, notes join them, any other field takes the first
non-blank one ("Business City", then "Home City").

Applying a mapping gives one `MappedRow` per row: field values (blank cells left out), and the
e-mails and phones as `Handle`s labelled work / home / mobile / other. Several values in one
cell (Google's " ::: ") are split, blanks and repeats dropped, and exactly one handle per list is
primary: the one marked so (Google's "* " on a label, vCard's PREF, Outlook's "Primary Phone"),
else the first. A middle name joins the first name; a full "Name" column fills first and last
name in rows that have neither.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from contacts.importing.names import split_full_name
from contacts.importing.table import Table
from contacts.normalize import normalize_email, normalize_phone

LABELS = ("work", "home", "mobile", "other")
SEPARATOR = " ::: "  # Google's joiner of several values in one cell
PRIMARY_MARK = "* "  # Google marks the primary label so; Huddle's vCard reader the value

# Huddle's own column names (its vCard reader writes exactly these, so their mapping is the
# identity).
FIRST_NAME, LAST_NAME, COMPANY, JOB_TITLE = "First name", "Last name", "Company", "Job title"
BIRTHDAY, NOTES, WEBSITE, CITY = "Birthday", "Notes", "Website", "City"
EMAIL_COLUMNS = {label: f"E-mail ({label})" for label in ("work", "home", "other")}
PHONE_COLUMNS = {label: f"Phone ({label})" for label in LABELS}

# Keys `apply` treats itself: a full name split into first and last name, and a middle name
# added to the first name. `guess_mapping` offers them whenever first and last name are targets.
NAME = "name"
MIDDLE_NAME = "middle_name"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


def _numbered(template: str, count: int = 20) -> tuple[str, ...]:
    return tuple(template.format(n) for n in range(1, count + 1))


CONTACT_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": (FIRST_NAME, "First", "Firstname", "Given Name", "Forename", "Vorname"),
    "last_name": (LAST_NAME, "Last", "Lastname", "Family Name", "Surname", "Nachname"),
    "company": (
        COMPANY, "Company name", "Organization", "Organisation", "Organization Name",
        "Organization 1 - Name", "Account name", "Firma", "Unternehmen",
    ),
    "job_title": (
        JOB_TITLE, "Jobtitle", "Organization Title", "Organization 1 - Title", "Position",
    ),
    "email": (
        "E-mail", "Email", "Mail", "E-mail address", "E-mail 2 Address", "E-mail 3 Address",
        *EMAIL_COLUMNS.values(), "Work e-mail", "Business e-mail", "Home e-mail",
        "Personal e-mail", "Other e-mails", *_numbered("E-mail {} - Value"),
    ),
    "phone": (
        "Phone", "Telephone", "Phone number", "Tel", "Telefon", "Mobile", "Cell", "Handy", "Mobil",
        "Mobiltelefon",
        "Work phone", "Mobile Phone", "Business Phone", "Business Phone 2",
        "Company Main Phone", "Home Phone", "Home Phone 2", "Car Phone", "Other Phone",
        "Primary Phone", "Pager", "Fax", "Business Fax", "Home Fax", "Other Fax",
        "Other phones", *PHONE_COLUMNS.values(), *_numbered("Phone {} - Value"),
    ),
    "city": (
        CITY, "Town", "Ort", "Stadt", "Business City", "Home City", "Other City",
        *_numbered("Address {} - City", 5),
    ),
    "notes": (NOTES, "Note", "Comments", "Comment", "Notizen"),
    "birthday": (BIRTHDAY, "Date of birth", "Birth date", "Birthdate", "DOB", "Geburtstag"),
    "owner": (
        "Owner", "Contact owner", "Record owner", "Owner e-mail", "Owner username",
        "Assigned to", "Sales rep",
    ),
    # Not a built-in contact field today; a custom field labelled "Website" is found by label.
    "website": (
        WEBSITE, "Web site", "Web page", "Homepage", "URL", "Personal Web Page",
        *_numbered("Website {} - Value", 5),
    ),
}  # fmt: skip

NAME_TARGETS = (
    Target(
        NAME,
        "Full name (split into first and last name)",
        ("Name", "Full name", "Display name", "Contact name", "File As"),
    ),
    Target(
        MIDDLE_NAME,
        "Middle name (added to the first name)",
        ("Middle name", "Middle", "Additional Name"),
    ),
)

_HANDLE_KEYS = ("email", "phone")
_GOOGLE_PAIR = re.compile(r"^\s*(e-?mail|phone)\s+(\d+)\s*-\s*(label|type|value)\s*$", re.I)
_OUTLOOK_MARKERS = {"suffix", "middlename"}
_WORDS = re.compile(r"[^\W\d_]+")
_MOBILE = {"mobile", "mobil", "cell", "cellular", "cellphone", "handy", "car", "iphone"}
_NOT_A_LINE = {"fax", "telefax", "pager"}
_WORK = {
    "work", "business", "office", "company", "arbeit", "geschäftlich", "dienstlich", "büro",
    "firma", "beruflich",
}  # fmt: skip
_HOME = {"home", "private", "privat", "personal", "zuhause"}
_EMAIL_SPLIT = re.compile(r"\s*(?::::|;|,)\s*")
_PHONE_SPLIT = re.compile(r"\s*(?::::|;)\s*|,\s+")
_LABEL_SPLIT = re.compile(r"\s*:::\s*")
_NON_DIGITS = re.compile(r"\D+")


def normalize_header(text: str) -> str:
    """What two headers must share to be the same: letters and digits, folded."""
    folded = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(char for char in folded if char.isalnum())


@lru_cache(maxsize=1024)
def _is_fax(text: str) -> bool:
    words = set(_WORDS.findall((text or "").casefold()))
    return bool(words & _NOT_A_LINE) or any(word.startswith("fax") for word in words)


@lru_cache(maxsize=1024)
def normalize_label(text: str) -> str:
    """work / home / mobile / other, from a label ("* Work", "Mobil", "_$!<Home>!$_") or a
    header ("Business Phone 2"). Faxes and pagers are "other": no one should dial them."""
    if _is_fax(text):
        return "other"
    words = set(_WORDS.findall((text or "").casefold()))
    if words & _MOBILE:
        return "mobile"
    if words & _WORK:
        return "work"
    if words & _HOME:
        return "home"
    return "other"


@dataclass
class Handle:
    """One e-mail address or phone number of a contact. `column` names where it came from, for
    messages about it; it takes no part in comparing handles."""

    label: str
    value: str
    primary: bool = False
    column: str = field(default="", compare=False)


@dataclass
class MappedRow:
    number: int
    values: dict[str, str]
    emails: list[Handle] = field(default_factory=list)
    phones: list[Handle] = field(default_factory=list)
    # target key -> the header its value came from, to name the column in a message
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Mapping:
    """For each column of a file (by index), the target key it feeds, or None."""

    headers: list[str]
    targets: list[str | None]

    def columns(self, key: str) -> list[int]:
        return [index for index, target in enumerate(self.targets) if target == key]

    @property
    def label_columns(self) -> dict[int, int]:
        """Google's "E-mail 1 - Value" column -> its "E-mail 1 - Label" (or "- Type") column."""
        found: dict[tuple[str, str, str], int] = {}
        for index, header in enumerate(self.headers):
            match = _GOOGLE_PAIR.match(header)
            if match:
                kind, number, part = (group.lower() for group in match.groups())
                part = "value" if part == "value" else "label"
                found.setdefault(("email" if "mail" in kind else "phone", number, part), index)
        return {
            index: found[(kind, number, "label")]
            for (kind, number, part), index in found.items()
            if part == "value" and (kind, number, "label") in found
        }

    @property
    def unknown(self) -> list[str]:
        """The headers of the columns nothing is imported from, for "not imported: …" (a label
        column counts as imported with its value column)."""
        return [self.headers[index] for index in self._unknown_indexes()]

    def unknown_in(self, table: Table) -> list[str]:
        """`unknown`, only the columns that hold a value in some row of `table`."""
        return [
            self.headers[index]
            for index in self._unknown_indexes()
            if any(index < len(row.cells) and row.cells[index] for row in table.rows)
        ]

    def _unknown_indexes(self) -> list[int]:
        labels = {
            label
            for value, label in self.label_columns.items()
            if self.targets[value] in _HANDLE_KEYS
        }
        return [
            index
            for index, header in enumerate(self.headers)
            if self.targets[index] is None and header.strip() and index not in labels
        ]

    def to_dict(self) -> dict:
        """A JSON-safe form to remember (per user and `signature`)."""
        return {"headers": list(self.headers), "targets": list(self.targets)}

    @classmethod
    def from_dict(cls, data, headers: list[str], targets: Iterable[Target]) -> Mapping:
        """A remembered mapping, applied to a file with `headers`: a column keeps its stored
        target where the stored header at that place is the same; targets that no longer exist
        (a custom field since deleted) and anything malformed become None."""
        known = {target.key for target in _with_name_targets(list(targets))}
        data = data if isinstance(data, dict) else {}
        stored_headers = data.get("headers") if isinstance(data.get("headers"), list) else []
        stored = data.get("targets") if isinstance(data.get("targets"), list) else []
        result: list[str | None] = []
        for index, header in enumerate(headers):
            key = stored[index] if index < len(stored) else None
            same = index < len(stored_headers) and isinstance(stored_headers[index], str)
            same = same and normalize_header(stored_headers[index]) == normalize_header(header)
            result.append(key if same and isinstance(key, str) and key in known else None)
        return cls(list(headers), result)


def _with_name_targets(targets: list[Target]) -> list[Target]:
    keys = {target.key for target in targets}
    if {"first_name", "last_name"} <= keys:
        targets = targets + [t for t in NAME_TARGETS if t.key not in keys]
    return targets


def guess_mapping(headers: list[str], targets: Iterable[Target]) -> Mapping:
    """The mapping Huddle proposes: a header equal to a target's label or key wins over one
    equal to an alias; the first target in `targets` wins among equals."""
    targets = _with_name_targets(list(targets))
    exact: dict[str, str] = {}
    alias: dict[str, str] = {}
    for target in targets:
        for name in (target.label, target.key):
            exact.setdefault(normalize_header(name), target.key)
        for name in target.aliases:
            alias.setdefault(normalize_header(name), target.key)
    names = [normalize_header(header) for header in headers]
    result: list[str | None] = [
        (exact.get(name) or alias.get(name)) if name else None for name in names
    ]
    keys = {target.key for target in targets}
    if "job_title" in keys and "job_title" not in result and not _OUTLOOK_MARKERS & set(names):
        for index, name in enumerate(names):
            if name == "title" and result[index] is None:
                result[index] = "job_title"
                break
    return Mapping(list(headers), result)


def signature(headers: list[str]) -> str:
    """A stable key of a file's shape (its headers in order, compared as `guess_mapping`
    compares them; trailing empty headers aside), to remember a mapping per user and shape."""
    names = [normalize_header(header) for header in headers]
    while names and not names[-1]:
        names.pop()
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:32]


@dataclass
class _HandleColumn:
    index: int
    header: str
    label_index: int | None
    label: str
    primary: bool
    fax: bool  # a fax or pager column: never the primary number unless marked so


def apply(table: Table, mapping: Mapping) -> list[MappedRow]:
    """Every row of `table` through `mapping` (rows where nothing mapped has a value too: the
    caller decides what an empty row means)."""
    headers = mapping.headers
    label_columns = mapping.label_columns
    plain: dict[str, list[int]] = {}
    for index, key in enumerate(mapping.targets):
        if key is not None and key not in _HANDLE_KEYS:
            plain.setdefault(key, []).append(index)
    notes = plain.pop("notes", [])
    full_name = plain.pop(NAME, [])
    middle_name = plain.pop(MIDDLE_NAME, [])
    handle_columns = {
        key: [
            _HandleColumn(
                index,
                headers[index],
                label_columns.get(index),
                _label_for(key, headers[index]),
                "primary" in _WORDS.findall(headers[index].casefold()),
                _is_fax(headers[index]),
            )
            for index in sorted(mapping.columns(key), key=lambda i: _is_fax(headers[i]))
        ]
        for key in _HANDLE_KEYS
    }
    result = []
    for row in table.rows:
        cells = row.cells
        width = len(cells)
        values: dict[str, str] = {}
        columns: dict[str, str] = {}
        for key, indexes in plain.items():
            for index in indexes:
                if index < width and cells[index]:
                    values[key] = cells[index]
                    columns[key] = headers[index]
                    break
        texts = [cells[index] for index in notes if index < width and cells[index]]
        if texts:
            values["notes"] = "\n\n".join(texts)
            columns["notes"] = headers[next(i for i in notes if i < width and cells[i])]
        middle = _first(cells, middle_name)
        if middle:
            values["first_name"] = f"{values.get('first_name', '')} {middle}".strip()
            columns.setdefault("first_name", headers[middle_name[0]])
        if full_name and not values.get("first_name") and not values.get("last_name"):
            first, last = split_full_name(_first(cells, full_name))
            for key, value in (("first_name", first), ("last_name", last)):
                if value:
                    values[key] = value
                    columns[key] = headers[full_name[0]]
        result.append(
            MappedRow(
                row.number,
                values,
                _handles(cells, handle_columns["email"], "email"),
                _handles(cells, handle_columns["phone"], "phone"),
                columns,
            )
        )
    return result


def _first(cells: list[str], indexes: list[int]) -> str:
    return next((cells[i] for i in indexes if i < len(cells) and cells[i]), "")


def _label_for(key: str, text: str) -> str:
    label = normalize_label(text)
    return "other" if key == "email" and label == "mobile" else label


def _handles(cells: list[str], plan: list[_HandleColumn], key: str) -> list[Handle]:
    handles: list[Handle] = []
    faxes: set[int] = set()  # ids of handles that are fax or pager numbers
    width = len(cells)
    split = _EMAIL_SPLIT if key == "email" else _PHONE_SPLIT
    for column in plan:
        raw = cells[column.index] if column.index < width else ""
        if not raw:
            continue
        labels: list[str] = []
        if column.label_index is not None and column.label_index < width:
            text = cells[column.label_index]
            labels = _LABEL_SPLIT.split(text) if text else []
        parts = [part for part in split.split(raw) if part.strip()]
        for position, part in enumerate(parts):
            primary = column.primary and position == 0
            if part.startswith(PRIMARY_MARK):
                primary, part = True, part[len(PRIMARY_MARK) :]
            part = _clean(part, key)
            if not part:
                continue
            label, fax = column.label, column.fax
            if labels:
                paired = position < len(labels)  # else the first label stands for all
                text = labels[position] if paired else labels[0]
                if text.startswith("*"):
                    primary, text = primary or paired, text[1:]
                if text.strip():
                    label, fax = _label_for(key, text), _is_fax(text)
            handle = Handle(label, part, primary, column.header)
            handles.append(handle)
            if fax:
                faxes.add(id(handle))
    if len(handles) > 1:
        handles = _without_repeats(handles, key)
    if handles:
        chosen = next(
            (h for h in handles if h.primary),
            next((h for h in handles if id(h) not in faxes), handles[0]),
        )
        for handle in handles:
            handle.primary = handle is chosen
    return handles


def _clean(value: str, key: str) -> str:
    value = value.strip()
    prefix = "mailto:" if key == "email" else "tel:"
    if value[: len(prefix)].lower() == prefix:
        value = value[len(prefix) :].strip()
    if key == "email":
        value = value.strip("<>").strip()
    return value


def _without_repeats(handles: list[Handle], key: str) -> list[Handle]:
    """The first of each address or number (as search compares them); a repeat marked primary
    passes the mark on to the one kept. Phones are compared by their E.164 digits, which costs
    a phonenumbers parse: only numbers that end in the same seven digits are parsed."""
    if key == "email":
        identities = [normalize_email(handle.value) for handle in handles]
    else:
        tails = [_NON_DIGITS.sub("", handle.value)[-7:] for handle in handles]
        identities = [
            normalize_phone(handle.value) if tails.count(tail) > 1 else f"unique:{tail}"
            for handle, tail in zip(handles, tails, strict=True)
        ]
    kept: dict[str, Handle] = {}
    for handle, identity in zip(handles, identities, strict=True):
        identity = identity or handle.value
        if identity in kept:
            kept[identity].primary = kept[identity].primary or handle.primary
        else:
            kept[identity] = handle
    return list(kept.values())
