"""What every kind of import reads from a mapped row: typed cells, custom fields by label, and
the error that names a row and column (that row is then left out whole)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time

from django.utils import timezone

from contacts.importing import values as cells
from contacts.importing.mapping import MappedRow, Target
from contacts.importing.values import CellError
from crm import custom_fields, spreadsheet

CUSTOM_PREFIX = "custom:"
_TIME = re.compile(
    r"^(?P<date>.+?)[ T]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap]\.?m\.?)?$",
    re.I,
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class Refused(Exception):
    """A row the plan cannot take (an owner outside the policy, an unknown stage): an error of
    its row and column, raised while planning rather than parsing."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class Incoming:
    """One row of a companies, deals or activities file, typed; blank cells are absent."""

    number: int
    fields: dict = field(default_factory=dict)  # model field -> value
    custom: dict = field(default_factory=dict)  # custom key -> stored JSON value
    refs: dict = field(default_factory=dict)  # company, contact, deal, pipeline, … -> text
    owner: str = ""
    columns: dict = field(default_factory=dict)  # target key -> header, for messages

    def column(self, key: str, default: str) -> str:
        return self.columns.get(key, default)


def custom_targets(kind: str, user) -> list[Target]:
    """The custom fields of `kind` this user may edit, by label (one the role may not edit
    cannot be written through a file either)."""
    return [
        Target(CUSTOM_PREFIX + spec.key, spec.label)
        for spec in custom_fields.seen_by(kind, user)
        if spec.edits(user)
    ]


def editable_specs(kind: str, user) -> dict:
    return {spec.key: spec for spec in custom_fields.seen_by(kind, user) if spec.edits(user)}


def parse_datetime(text: str, *, dayfirst: bool = False) -> tuple[datetime, bool] | None:
    """An instant in the organisation time zone, and whether the cell held only a date (then
    the start of that day, as an all-day activity is stored). None for a blank cell."""
    text = text.strip()
    if not text:
        return None
    found = _TIME.match(text)
    day_text = found["date"] if found else text
    day = cells.parse_date(day_text, dayfirst=dayfirst)
    if day is None:
        return None
    if found is None:
        moment = time.min
    else:
        hour, minute, second = int(found["h"]), int(found["m"]), int(found["s"] or 0)
        ampm = (found["ampm"] or "").lower().replace(".", "")
        if ampm:
            if not 1 <= hour <= 12:
                raise CellError(f"“{text}” is not a time of day.")
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        if hour > 23 or minute > 59 or second > 59:
            raise CellError(f"“{text}” is not a time of day.")
        moment = time(hour, minute, second)
    zone = timezone.get_default_timezone()
    return timezone.make_aware(datetime.combine(day, moment), zone), found is None


# How a kind's built-in targets read their cells (see `parse`).
TEXT, DATE, DATETIME, NUMBER, BOOL, URL, REF = (
    "text",
    "date",
    "datetime",
    "number",
    "bool",
    "url",
    "ref",
)


def parse(
    row: MappedRow, types: dict, specs: dict, fields: dict | None = None
) -> Incoming | RowError:
    """The row's cells as `types` says (target key -> one of the constants above; REF cells
    name another record, resolved while planning), or the first cell that cannot be read.
    `fields` names the model field of a target whose key differs (notes -> body)."""
    fields = fields or {}
    incoming = Incoming(number=row.number, columns=dict(row.columns))
    for key, name in fields.items():
        if key in row.columns:
            incoming.columns.setdefault(name, row.columns[key])
    for key, text in row.values.items():
        text = spreadsheet.unescape(text.strip())
        if not text:
            continue
        try:
            kind = types.get(key)
            if key == "owner":
                incoming.owner = text
            elif kind == TEXT:
                incoming.fields[fields.get(key, key)] = text
            elif kind == DATE:
                incoming.fields[fields.get(key, key)] = cells.parse_date(text)
            elif kind == DATETIME:
                found = parse_datetime(text)
                if found is not None:
                    incoming.fields[fields.get(key, key)], incoming.fields["all_day"] = found
            elif kind == NUMBER:
                incoming.fields[fields.get(key, key)] = cells.parse_number(text)
            elif kind == BOOL:
                incoming.fields[fields.get(key, key)] = cells.parse_bool(text)
            elif kind == URL:
                incoming.fields[fields.get(key, key)] = cells.parse_url(text)
            elif kind == REF:
                incoming.refs[key] = text
            elif key.startswith(CUSTOM_PREFIX):
                spec = specs.get(key[len(CUSTOM_PREFIX) :])
                if spec is not None:
                    stored = custom_value(spec, text)
                    if stored is not None:
                        incoming.custom[spec.key] = stored
        except CellError as error:
            return RowError(row.number, row.columns.get(key, key), str(error))
    incoming.fields = {k: v for k, v in incoming.fields.items() if v is not None}
    return incoming


def custom_value(spec, text: str, *, dayfirst: bool = False):
    """A cell as the custom field stores it (crm/custom_fields.py `to_json`)."""
    kind = spec.type
    if kind == "date":
        return spec.to_json(cells.parse_date(text, dayfirst=dayfirst))
    if kind in ("number", "money"):
        return spec.to_json(cells.parse_number(text))
    if kind == "yes_no":
        value = cells.parse_bool(text)
        return None if value is None else value
    if kind == "choice":
        return _choice(spec, text)
    if kind == "multiple_choice":
        parts = [p.strip() for p in text.replace(" ::: ", ";").replace(",", ";").split(";")]
        return [_choice(spec, p) for p in parts if p] or None
    if kind == "email":
        return spec.to_json(cells.parse_email(text))
    if kind == "url":
        return cells.parse_url(text)
    if kind == "user":
        raise CellError("A user field cannot be imported yet; leave this column out.")
    return text


def _choice(spec, text: str):
    wanted = text.strip().casefold()
    for choice in spec.choices:
        if wanted in (str(choice.value).casefold(), str(choice.label).casefold()):
            return choice.value
    options = ", ".join(choice.label for choice in spec.choices)
    raise CellError(f"“{text}” is not one of {options}.")
