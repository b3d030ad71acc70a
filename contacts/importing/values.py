"""One cell's text, read as the type of the field it feeds: a value, None for a blank cell, or a
`CellError` whose message says what is wrong, for "row 7, Birthday: …".

- Dates: ISO (`1985-04-23`, also with a time, as XLSX cells come), vCard's `19850423`,
  `23.04.1985` (dots are always day first), `4/23/1985` and `23/04/1985` (slashes or dashes:
  day first when the first number cannot be a month, month first when the second cannot, else
  as `dayfirst` says; Outlook and Google write month first), `23 Apr 1985` / `April 23, 1985`.
  Two-digit years are read as Excel reads them (00–29 → 2000s, 30–99 → 1900s). Blanks and
  Outlook's empty date `0/0/00` are None. Dates are kept between 1900 and 2200, as everywhere in
  Huddle (crm/dates.py).
- Birthdays may lack a year (`--04-23`, `--0423`, `23.04.`): a `PartialDate`.
- Numbers and money: `1.234,56` and `1,234.56` are both 1234.56, decided by the last separator;
  a single separator followed by exactly three digits (`1,500`) is a thousands separator in one
  country and a decimal one in another, so it is read as `decimal` says (`guess_decimal` finds
  it from the column's other cells) and is an error without it, rather than a price 1000 times
  off. Currency symbols and codes (€, $, EUR, CHF), spaces and Swiss apostrophes are ignored;
  `(12.50)` is negative.
- Text, phones and anything else that looks like a formula (`=1+1`, `@x`, `+49 …`) is returned
  as typed: the import stores what the file says, and exports escape formulas on the way out
  (crm/spreadsheet.py).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from crm.dates import EARLIEST, LATEST


class CellError(ValueError):
    """A cell that cannot be read as its field's type; the message is for the person importing."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PartialDate:
    """A date whose year may be unknown, as address books keep birthdays."""

    month: int
    day: int
    year: int | None = None

    def iso(self) -> str:
        """`1985-04-23`, or `--04-23` without a year (ISO 8601 / vCard 4.0)."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def to_date(self) -> date | None:
        return date(self.year, self.month, self.day) if self.year is not None else None

    def __str__(self) -> str:
        return self.iso()


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "mär": 3, "apr": 4, "may": 5, "mai": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12,
}  # fmt: skip
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_ISO_BASIC = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T[\d:]+Z?)?$")
_ISO_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4}|\d{2})?$")
_SLASHED = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})$")
_YEARLESS = re.compile(r"^--(\d{2})-?(\d{2})$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})\.?[\s-]*([^\W\d_]{3,})\.?,?[\s-]*(\d{4}|\d{2})?$")
_MONTH_NAME_DAY = re.compile(r"^([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})?$")
_ZERO_DATE = re.compile(r"^[0\W_]+$")  # Outlook's 0/0/00, 00.00.0000: no date
_DATE_EXAMPLES = "write it as 1985-04-23, 23.04.1985 or 4/23/1985"


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def parse_birthday(text: str, *, dayfirst: bool = False) -> PartialDate | None:
    """A date with or without a year; None for a blank or zero date."""
    text = (text or "").strip()
    if not text or _ZERO_DATE.match(text):
        return None
    parts = _date_parts(text, dayfirst)
    if parts is None:
        raise CellError(f"{_quoted(text)} is not a date; {_DATE_EXAMPLES}.")
    written_year, month, day = parts
    year = int(written_year) if written_year else None
    if year is not None and len(written_year) == 2:
        year += 2000 if year < 30 else 1900
    leap = 2000 if year is None else year
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(leap, month)[1]):
        raise CellError(f"{_quoted(text)} is not a date: there is no such day; {_DATE_EXAMPLES}.")
    if year is not None and not EARLIEST.year <= year <= LATEST.year:
        raise CellError(f"{_quoted(text)} is not between {EARLIEST.year} and {LATEST.year}.")
    return PartialDate(month, day, year)


def parse_date(text: str, *, dayfirst: bool = False) -> date | None:
    """A whole date; None for a blank or zero date. A date without a year is an error here."""
    partial = parse_birthday(text, dayfirst=dayfirst)
    if partial is None:
        return None
    if partial.year is None:
        raise CellError(f"{_quoted(text)} has no year; {_DATE_EXAMPLES}.")
    return partial.to_date()


def _date_parts(text: str, dayfirst: bool) -> tuple[str | None, int, int] | None:
    """(year as written or None, month, day), unchecked."""
    for pattern in (_ISO, _ISO_BASIC, _ISO_SLASHED):
        match = pattern.match(text)
        if match:
            return match.group(1), int(match.group(2)), int(match.group(3))
    match = _YEARLESS.match(text)
    if match:
        return None, int(match.group(1)), int(match.group(2))
    match = _DOTTED.match(text)
    if match:
        return match.group(3), int(match.group(2)), int(match.group(1))
    match = _SLASHED.match(text)
    if match:
        first, second, year = int(match.group(1)), int(match.group(3)), match.group(4)
        if first > 12 or (dayfirst and second <= 12):
            return year, second, first
        return year, first, second
    match = _DAY_MONTH_NAME.match(text)
    if match and match.group(2)[:3].lower() in _MONTHS:
        return match.group(3), _MONTHS[match.group(2)[:3].lower()], int(match.group(1))
    match = _MONTH_NAME_DAY.match(text)
    if match and match.group(1)[:3].lower() in _MONTHS:
        return match.group(3), _MONTHS[match.group(1)[:3].lower()], int(match.group(2))
    return None


_CODE = re.compile(r"^[A-Za-z]{3}(?=[\s\d+\-(.,])|(?<=[\s\d.,)])[A-Za-z]{3}$")
_NOISE = str.maketrans("", "", " \u00a0\u202f\u2009'’")
_PLAIN = re.compile(r"^[+-]?[\d.,]+$")
_DIGITS_AND_SEPARATORS = re.compile(r"[^\d.,]")


def parse_number(text: str, *, decimal: str | None = None) -> Decimal | None:
    """A number or an amount of money as a Decimal; None for a blank cell. `decimal` ("," or
    ".") settles `1,500`; see the module docstring."""
    raw = (text or "").strip()
    if not raw:
        return None
    value = raw
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1].strip()
    value = "".join(char for char in value if unicodedata.category(char) != "Sc")
    value = _CODE.sub("", value.strip()).translate(_NOISE).replace("−", "-")
    if not _PLAIN.match(value) or not any(char.isdigit() for char in value):
        raise CellError(f"{_quoted(raw)} is not a number.")
    sign = ""
    if value[0] in "+-":
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    value = _plain_number(value, raw, decimal)
    try:
        number = Decimal(sign + value)
    except InvalidOperation:
        raise CellError(f"{_quoted(raw)} is not a number.") from None
    return -number if negative else number


def _plain_number(value: str, raw: str, decimal: str | None) -> str:
    """Digits with at most one "." from digits with "," and "." in any convention."""
    separators = [char for char in value if char in ".,"]
    if not separators:
        return value
    last = separators[-1]
    if len(set(separators)) == 2:
        point, grouping = last, ("," if last == "." else ".")
    elif len(separators) > 1:
        point, grouping = None, last
    else:
        whole, _, fraction = value.partition(last)
        if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole != "0":
            if decimal not in (",", "."):
                raise CellError(
                    f"{_quoted(raw)} could be {whole}{fraction} or {whole}.{fraction}; write it "
                    "without a thousands separator."
                )
            point = last if decimal == last else None
            grouping = None if point else last
        else:
            point, grouping = last, None
    whole, _, fraction = value.rpartition(point) if point else (value, "", "")
    if (point and value.count(point) > 1) or not (whole or fraction):
        raise CellError(f"{_quoted(raw)} is not a number.")
    if grouping:
        groups = whole.split(grouping)
        if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
            raise CellError(f"{_quoted(raw)} is not a number.")
        whole = "".join(groups)
    return f"{whole or '0'}.{fraction}" if point else whole


def guess_decimal(cells: Iterable[str]) -> str | None:
    """The decimal separator the unambiguous cells of a column use ("," or "."), if any."""
    votes: Counter[str] = Counter()
    for cell in cells:
        number = _DIGITS_AND_SEPARATORS.sub("", cell or "")
        separators = [char for char in number if char in ".,"]
        if not separators:
            continue
        last = separators[-1]
        whole, _, fraction = number.rpartition(last)
        if len(set(separators)) == 2:
            votes[last] += 1
        elif len(separators) > 1:
            votes["," if last == "." else "."] += 1
        elif len(fraction) != 3 or whole in ("", "0") or len(whole) > 3:
            votes[last] += 1
    return votes.most_common(1)[0][0] if votes else None


_TRUE = {"yes", "y", "true", "1", "x", "ja", "j", "wahr", "on", "✓"}
_FALSE = {"no", "n", "false", "0", "nein", "falsch", "off"}


def parse_bool(text: str) -> bool | None:
    value = (text or "").strip().casefold()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(f"{_quoted(text)} is not yes or no; write yes/no, true/false, 1/0 or x.")


_EMAIL = EmailValidator()
_URL = URLValidator(schemes=["http", "https"])


def parse_email(text: str) -> str | None:
    """An address as typed, from "a@example.com", "mailto:a@example.com" or "Ana <a@…>"."""
    raw = (text or "").strip()
    if not raw:
        return None
    value = raw[7:].strip() if raw[:7].lower() == "mailto:" else raw
    if "<" in value:
        value = parseaddr(value)[1] or value
    try:
        _EMAIL(value)
    except ValidationError:
        raise CellError(f"{_quoted(raw)} is not an e-mail address.") from None
    return value


def parse_url(text: str) -> str | None:
    """A web address; "www.example.com" gets its https://."""
    raw = (text or "").strip()
    if not raw:
        return None
    value = raw if "://" in raw else f"https://{raw}"
    try:
        _URL(value)
    except ValidationError:
        raise CellError(f"{_quoted(raw)} is not a web address.") from None
    return value


def parse_phone(text: str) -> str | None:
    """A phone number as typed (search and duplicate checks normalise it later); it must hold
    a digit."""
    raw = (text or "").strip()
    value = raw[4:].strip() if raw[:4].lower() == "tel:" else raw
    if not value:
        return None
    if not any(char.isdigit() for char in value):
        raise CellError(f"{_quoted(raw)} is not a phone number.")
    return value


def parse_text(text: str) -> str | None:
    """Text as the file has it, formulas included; None when blank."""
    value = (text or "").strip()
    return value or None
