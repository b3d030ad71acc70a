"""vCard 2.1, 3.0 and 4.0 files as a `Table` whose headers are Huddle's own column names
("First name", "E-mail (work)", "Phone (mobile)", …), so their mapping is the identity.

vobject reads the lines: it unfolds them (3.0/4.0 folds and 2.1 quoted-printable soft line
breaks) and splits each into group, name, parameters and value. QUOTED-PRINTABLE is decoded here,
in the CHARSET the property declares (vobject's own decoding fails on a charset Python does not
know). vobject's vCard behaviours are not used, because three of their faults lose data:

- they cut a value at its first unescaped comma, which vCard 2.1 never escapes (a 2.1 NOTE "Hi,
  see you" becomes "Hi") and a 4.0 `PHOTO:data:image/jpeg;base64,…` URI always has (photos are
  not imported; they are skipped before anything else looks at them);
- they keep a 4.0 `TYPE="voice,cell"` as the one type "voice,cell", so the number is not known
  as a mobile: types are split here, in every version, and bare 2.1 types (`TEL;CELL;PREF:`)
  count too;
- they keep a 4.0 `TEL;VALUE=uri:tel:+1-555-555-5555;ext=102` as the URI: here it is the number
  as a person writes it, "+1-555-555-5555 ext. 102".

So values are unescaped here (`\\n`, `\\,`, `\\;`, `\\\\` in 3.0 and 4.0; only `\\;` inside
structured values in 2.1). iCloud's grouped labels (`item1.EMAIL…` with `item1.X-ABLabel:
_$!<Work>!$_` or a label of the person's own) label the property of their group. Several
e-mails or phones with one label share a cell, joined by " ::: ", the preferred first; the
preferred one of all (PREF, `type=pref`, a 2.1 bare PREF; else the first in the card) is marked
"* " when a card has more than one. Apple's year-less birthday (`X-APPLE-OMIT-YEAR=1604`) and
vCard 4.0's `--0423` come out as "--04-23".

A file cut short inside a card is refused whole; a line that cannot be read at all is skipped.
"""

from __future__ import annotations

import codecs
import io
import re

from vobject.base import VObjectError, getLogicalLines, parseLine

from contacts.importing.mapping import (
    BIRTHDAY,
    CITY,
    COMPANY,
    EMAIL_COLUMNS,
    FIRST_NAME,
    JOB_TITLE,
    LAST_NAME,
    NOTES,
    PHONE_COLUMNS,
    PRIMARY_MARK,
    SEPARATOR,
    WEBSITE,
    normalize_label,
)
from contacts.importing.names import split_full_name
from contacts.importing.table import ImportFileError, Row, Table

HEADERS = (
    FIRST_NAME,
    LAST_NAME,
    COMPANY,
    JOB_TITLE,
    *EMAIL_COLUMNS.values(),
    *PHONE_COLUMNS.values(),
    BIRTHDAY,
    CITY,
    WEBSITE,
    NOTES,
)
_SKIPPED = {"PHOTO", "LOGO", "SOUND", "KEY"}  # binary payloads Huddle does not keep
_EMAIL_TYPES = {"work", "home"}
_PHONE_TYPES = {"cell", "mobile", "iphone", "work", "home", "fax", "pager", "car"}
_ESCAPE = re.compile(r"\\(.)", re.S)
_UNESCAPED = {"n": "\n", "N": "\n"}
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_YEARLESS = re.compile(r"^--(\d{2})-?(\d{2})$")
_BASIC_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_TIME = re.compile(r"^(\d{4}-?\d{2}-?\d{2}|--\d{2}-?\d{2})T")


class _Property:
    __slots__ = ("group", "name", "types", "rank", "value")

    def __init__(self, group: str, name: str, types: set[str], rank: int, value: str):
        self.group, self.name, self.types, self.rank, self.value = group, name, types, rank, value


def read_vcards(text: str) -> Table:
    """Every card of the file, numbered from 1 in the order of the file."""
    cards = _cards(text)
    if not cards:
        raise ImportFileError(
            "This file has no complete contact card (BEGIN:VCARD … END:VCARD) in it."
        )
    records = [_record(version, properties) for version, properties in cards]
    headers = [header for header in HEADERS if any(record.get(header) for record in records)]
    rows = [
        Row(number, [record.get(header, "") for header in headers])
        for number, record in enumerate(records, start=1)
        if any(record.values())
    ]
    return Table(headers, rows, "vcard")


def _cards(text: str) -> list[tuple[str, list[_Property]]]:
    cards: list[tuple[str, list[_Property]]] = []
    current: list[_Property] | None = None
    version = "3.0"
    depth = 0  # a vCard 2.1 AGENT may hold a whole card of its own
    for line, _number in getLogicalLines(io.StringIO(text), allowQP=True):
        try:
            name, params, value, group = parseLine(line)
        except VObjectError:
            continue  # a stray line (e.g. a 2.1 photo's unindented base64) carries nothing
        name = name.upper()
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            depth += 1
            if depth == 1:
                current, version = [], "3.0"
            continue
        if name == "END" and value.strip().upper() == "VCARD" and depth:
            depth -= 1
            if depth == 0 and current is not None:
                cards.append((version, current))
                current = None
            continue
        if current is None or depth != 1 or name in _SKIPPED:
            continue
        if name == "VERSION":
            version = value.strip()
            continue
        current.append(_property(group, name, params, value, version))
    if depth:
        raise ImportFileError(
            f"The file ends inside contact card {len(cards) + 1} (it has no END:VCARD); it may "
            "have been cut short. Export it again."
        )
    return cards


def _property(group, name: str, params: list, value: str, version: str) -> _Property:
    types: set[str] = set()
    encoding = charset = ""
    rank = 100
    for param in params:
        key = param[0].upper()
        values = [v for item in param[1:] for v in str(item).strip('"').split(",") if v]
        if len(param) == 1:  # vCard 2.1: TEL;CELL;PREF, ADR;WORK;QUOTED-PRINTABLE
            key, values = "TYPE", [param[0]]
        if key == "TYPE":
            for item in values:
                item = item.strip().lower()
                if item in ("quoted-printable", "base64", "b"):
                    encoding = item
                elif item == "pref":
                    rank = min(rank, 1)
                elif item:
                    types.add(item)
        elif key == "PREF":
            rank = min(rank, _int(values[0] if values else "", 1))
        elif key == "ENCODING":
            encoding = (values[0] if values else "").lower()
        elif key == "CHARSET":
            charset = values[0] if values else ""
        elif key == "X-APPLE-OMIT-YEAR" and values:
            types.add(f"omit-year={values[0]}")
    if encoding == "quoted-printable":
        value = _quoted_printable(value, charset)
    return _Property((group or "").lower(), name, types, rank, value)


def _int(text: str, default: int) -> int:
    return int(text) if text.strip().isdigit() else default


def _quoted_printable(value: str, charset: str) -> str:
    """A 2.1 QUOTED-PRINTABLE value (soft line breaks already joined by vobject as "=\\n")."""
    raw = codecs.decode(value.encode("utf-8"), "quoted-printable")
    for name in (charset or "utf-8", "utf-8", "cp1252"):
        try:
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("cp1252", errors="replace")


def _text(value: str, version: str) -> str:
    if not version.startswith("2"):
        value = _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), value)
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _components(value: str, version: str) -> list[str]:
    """A structured value (N, ADR, ORG) split at its unescaped semicolons."""
    parts = re.split(r"(?<!\\);", value)
    if version.startswith("2"):
        return [part.replace("\\;", ";").strip() for part in parts]
    return [_text(part, version) for part in parts]


def _record(version: str, properties: list[_Property]) -> dict[str, str]:
    group_labels = {
        p.group: _apple_label(p.value) for p in properties if p.name == "X-ABLABEL" and p.group
    }
    first = _one(properties, "N")
    record: dict[str, str] = {}
    if first is not None:
        parts = _components(first.value, version) + [""] * 3
        given = " ".join(" ".join(part.split(",")) for part in parts[1:3] if part).split()
        record[FIRST_NAME] = " ".join(given)
        record[LAST_NAME] = " ".join(parts[0].replace(",", " ").split())
    organisation = _one(properties, "ORG")
    if organisation is not None:
        record[COMPANY] = _components(organisation.value, version)[0]
    full = _one(properties, "FN")
    if full is not None and not record.get(FIRST_NAME) and not record.get(LAST_NAME):
        name = _text(full.value, version)
        if name != record.get(COMPANY):  # a company's own card (Apple: X-ABShowAs:COMPANY)
            record[FIRST_NAME], record[LAST_NAME] = split_full_name(name)
    title = _one(properties, "TITLE")
    if title is not None:
        record[JOB_TITLE] = _text(title.value, version)
    birthday = _one(properties, "BDAY")
    if birthday is not None:
        record[BIRTHDAY] = _birthday(birthday, version)
    addresses = sorted(
        (p for p in properties if p.name == "ADR"), key=lambda p: (p.rank, "work" not in p.types)
    )
    cities = [(_components(p.value, version) + [""] * 4)[3] for p in addresses]
    record[CITY] = next((city for city in cities if city), "")
    sites = sorted((p for p in properties if p.name == "URL"), key=lambda p: p.rank)
    record[WEBSITE] = next((_text(p.value, version) for p in sites if p.value.strip()), "")
    notes = [_text(p.value, version) for p in properties if p.name == "NOTE"]
    record[NOTES] = "\n\n".join(note for note in notes if note)
    record.update(_handles(properties, "EMAIL", version, group_labels))
    record.update(_handles(properties, "TEL", version, group_labels))
    return record


def _one(properties: list[_Property], name: str) -> _Property | None:
    """The preferred property of that name, else the first."""
    found = [p for p in properties if p.name == name]
    return min(found, key=lambda p: p.rank) if found else None


def _apple_label(value: str) -> str:
    match = _APPLE_LABEL.match(value.strip())
    return match.group(1) if match else value.strip()


def _birthday(prop: _Property, version: str) -> str:
    value = _text(prop.value, version)
    match = _DATE_TIME.match(value)
    if match:
        value = match.group(1)
    omitted = next((t.split("=", 1)[1] for t in prop.types if t.startswith("omit-year=")), "")
    if omitted and value.startswith(omitted):
        value = "--" + value[len(omitted) :].lstrip("-")
    match = _YEARLESS.match(value) or _BASIC_DATE.match(value)
    if match and len(match.groups()) == 2:
        return f"--{match.group(1)}-{match.group(2)}"
    if match:
        return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    return value


def _handles(
    properties: list[_Property], name: str, version: str, group_labels: dict[str, str]
) -> dict[str, str]:
    """The cells of one kind of handle: {"E-mail (work)": "* a@x ::: b@x", …}."""
    found = [p for p in properties if p.name == name and p.value.strip()]
    if not found:
        return {}
    primary = min(found, key=lambda p: p.rank)  # min keeps the first of equals
    columns = EMAIL_COLUMNS if name == "EMAIL" else PHONE_COLUMNS
    cells: dict[str, list[tuple[int, str]]] = {}
    for position, prop in enumerate(found):
        value = _handle_value(prop, name, version)
        if not value:
            continue
        label = _handle_label(prop, name, group_labels)
        if prop is primary and len(found) > 1:
            value = PRIMARY_MARK + value
        cells.setdefault(columns[label], []).append((0 if prop is primary else position + 1, value))
    return {
        column: SEPARATOR.join(value for _, value in sorted(values))
        for column, values in cells.items()
    }


def _handle_value(prop: _Property, name: str, version: str) -> str:
    value = _text(prop.value, version)
    if name == "EMAIL":
        return value[7:].strip() if value[:7].lower() == "mailto:" else value
    if value[:4].lower() == "tel:":
        number, _, parameters = value[4:].partition(";")
        extension = next((p[4:] for p in parameters.split(";") if p.lower().startswith("ext=")), "")
        value = f"{number} ext. {extension}" if extension else number
    return value.strip()


def _handle_label(prop: _Property, name: str, group_labels: dict[str, str]) -> str:
    known = _EMAIL_TYPES if name == "EMAIL" else _PHONE_TYPES
    types = " ".join(sorted(t for t in prop.types if t in known))
    label = normalize_label(types) if types else ""
    if not types and prop.group in group_labels:
        label = normalize_label(group_labels[prop.group])
    if not label or (name == "EMAIL" and label == "mobile"):
        return "other"
    return label
