"""Birthdays, with or without the year: address books often know only the day.

Stored as text in one canonical form — "1985-04-23", or "--04-23" without a year (as vCard
writes it) — so a year-less birthday needs no made-up year and sorts by month and day within
each form. People may type "1985-04-23", "23.04.1985" or "23 April 1985" (as pages and exports
show it); "--04-23", "23.04.", "23.04" and "23 April" are birthdays without a year. Two-digit years ("23.04.85") are refused: 1985 or 2085 is a guess.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.dates import EARLIEST

HELP = "e.g. 1985-04-23, 23.04.1985, or without the year 23.04."
INVALID = "Enter a birthday as 1985-04-23, 23.04.1985, or without the year as 23.04. or --04-23."
LEAP_YEAR = 2000  # a year-less 29 February is a real birthday
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_FORMS = (
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
    re.compile(r"^--(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
    re.compile(r"^(?P<day>\d{1,2})\.\s*(?P<month>\d{1,2})\.\s*(?P<year>\d{4})$"),
    re.compile(r"^(?P<day>\d{1,2})\.\s*(?P<month>\d{1,2})\.?$"),
    # As shown and exported ("23 April 1985", "23 April"; "23 Apr" too): an export reads back.
    re.compile(r"^(?P<day>\d{1,2})\.?\s+(?P<name>[A-Za-z]{3,9})\.?(?:\s+(?P<year>\d{4}))?$"),
)
_STORED = re.compile(r"^(?:(?P<year>\d{4})|-)-(?P<month>\d{2})-(?P<day>\d{2})$")


def parse(text: str) -> str:
    """What a person typed, as stored ("" for nothing); ValidationError saying the accepted
    forms otherwise."""
    text = (text or "").strip()
    if not text:
        return ""
    for pattern in _FORMS:
        match = pattern.match(text)
        if match:
            parts = match.groupdict()
            month = _month(parts["name"]) if parts.get("name") else int(parts["month"])
            return _canonical(parts.get("year"), month, int(parts["day"]))
    raise ValidationError(INVALID, code="invalid")


def _month(name: str) -> int:
    for number, month in enumerate(MONTHS, start=1):
        if month.lower().startswith(name.lower()) and len(name) >= 3:
            return number
    raise ValidationError(INVALID, code="invalid")


def _canonical(year: str | None, month: int, day: int) -> str:
    try:
        when = date(int(year) if year else LEAP_YEAR, month, day)
    except ValueError:
        raise ValidationError("That day does not exist.", code="invalid") from None
    if year is None:
        return f"--{month:02d}-{day:02d}"
    if when < EARLIEST or when > timezone.localdate():
        raise ValidationError(
            f"Enter a birthday between {EARLIEST.year} and today.", code="out_of_range"
        )
    return when.isoformat()


def validate(value: str) -> None:
    """The model's rule: empty, or one of the two stored forms of a real day."""
    if not value:
        return
    match = _STORED.match(value)
    if not match:
        raise ValidationError(INVALID, code="invalid")
    _canonical(match["year"], int(match["month"]), int(match["day"]))


def display(value: str) -> str:
    """ "23 April 1985", or "23 April" without the year; "" for none."""
    match = _STORED.match(value or "")
    if not match:
        return value or ""
    day, month = int(match["day"]), MONTHS[int(match["month"]) - 1]
    return f"{day} {month} {match['year']}" if match["year"] else f"{day} {month}"


class BirthdayField(forms.CharField):
    """A text input that takes the forms `parse` knows and cleans to the stored form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", HELP)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return parse(super().to_python(value))
