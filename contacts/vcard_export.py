"""Contacts as vCard 3.0 (RFC 2426), for address books and phones: the contacts list's "vCard"
export link and `manage.py export contacts --format vcf`.

Written by hand rather than with vobject: its serialiser folds lines by characters, not octets,
and each card here is a dozen lines of known properties. Lines end in CRLF and are folded at 75
octets (never inside a UTF-8 character); text escapes backslash, comma, semicolon and newlines.
Every e-mail and phone is written, the primary first with PREF, each typed by its label; a
birthday without a year is written `--MMDD` (the form of vCard 4.0, which Apple, Google and
Huddle's own importer read); the city is the locality of a work address. The company is named
only where the row's visibility flag lets this user see it (crm.visibility.with_related_flags).

The file reads back through Huddle's importer (contacts/importing/vcard.py) unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from contacts.addresses import entries
from crm.visibility import related_label

CONTENT_TYPE = "text/vcard; charset=utf-8"
MAX_OCTETS = 75
CARDS_PER_CHUNK = 100
EMAIL_TYPES = {"work": "INTERNET,WORK", "home": "INTERNET,HOME"}  # others: INTERNET only
PHONE_TYPES = {"work": "WORK,VOICE", "home": "HOME,VOICE", "mobile": "CELL", "other": "VOICE"}


def vcards(contacts: Iterable) -> Iterator[bytes]:
    """The cards of `contacts`, a hundred at a time, as UTF-8."""
    chunk: list[str] = []
    for contact in contacts:
        chunk.append(card(contact))
        if len(chunk) == CARDS_PER_CHUNK:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def card(contact) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{escape(contact.last_name)};{escape(contact.first_name)};;;",
        f"FN:{escape(contact.full_name)}",
    ]
    company = related_label(contact, "company", "name")
    if company:
        lines.append(f"ORG:{escape(company)}")
    if contact.job_title:
        lines.append(f"TITLE:{escape(contact.job_title)}")
    for types, value in _handles(contact, "email", EMAIL_TYPES, "INTERNET"):
        lines.append(f"EMAIL;TYPE={types}:{escape(value)}")
    for types, value in _handles(contact, "phone", PHONE_TYPES, "VOICE"):
        lines.append(f"TEL;TYPE={types}:{escape(value)}")
    if contact.birthday:
        lines.append(f"BDAY:{birthday(contact.birthday)}")
    if contact.city:
        lines.append(f"ADR;TYPE=WORK:;;;{escape(contact.city)};;;")
    if contact.notes:
        lines.append(f"NOTE:{escape(contact.notes)}")
    lines.append(f"UID:huddle-contact-{contact.pk}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def _handles(contact, kind: str, types: dict[str, str], default: str) -> list[tuple[str, str]]:
    """(TYPE parameter, value) of each address: the primary first, marked PREF."""
    found = []
    primary = getattr(contact, kind)
    if primary:
        label = getattr(contact, f"{kind}_label")
        found.append((types.get(label, default) + ",PREF", primary))
    for entry in entries(getattr(contact, f"{kind}s")):
        found.append((types.get(entry["label"], default), entry["value"]))
    return found


def birthday(stored: str) -> str:
    """ "1985-04-23" as it is; the year-less "--04-23" as "--0423"."""
    if stored.startswith("--"):
        return "--" + stored[2:].replace("-", "")
    return stored


def escape(text: str) -> str:
    """A text value as vCard 3.0 writes it (RFC 2426 §4): \\\\, \\, \\; and \\n."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    for plain, escaped in (("\\", "\\\\"), (",", "\\,"), (";", "\\;"), ("\n", "\\n")):
        text = text.replace(plain, escaped)
    return text


def fold(line: str) -> str:
    """A content line folded to at most 75 octets a line (RFC 2425 §5.8.1): each continuation
    starts with one space, and no UTF-8 character is split."""
    if len(line.encode("utf-8")) <= MAX_OCTETS:
        return line
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = MAX_OCTETS if not parts else MAX_OCTETS - 1  # the space counts
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)
