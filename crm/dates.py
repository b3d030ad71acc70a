"""The dates Huddle takes from people: 1 January 1900 to 31 December 2200, nothing else.

Python's dates end at 9999-12-31 and the databases' a little earlier or later, and the code
around a date moves it: a report's period ends at midnight after its last day, a due day becomes
17:00 in the organisation's time zone and is stored in UTC, rollups count per day. At the edges
(`0001-01-01`, `9999-12-31`) each of those steps overflows, and a typo or a hostile value became
a 500. No customer plans a call in the year 1 or closes a deal in 9999: every form, filter and
model field that takes a date from a person checks it against this one range, and says so.

`validate_date_in_range` is the rule (model fields carry it, so inline edits and Django admin
check it too); `DateField` and `DateTimeField` are the form fields that apply it, and also say it
for a year too long to parse (`10000-01-01`) instead of a bare "Enter a valid date".
"""

from __future__ import annotations

import re
from datetime import date, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
OUT_OF_RANGE = "Enter a date between 1900 and 2200."

# A date or datetime whose year has five digits or more: well-formed, only out of range.
_LONG_YEAR = re.compile(r"^\s*[+-]?\d{5,}-\d")


def in_range(value: date) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def validate_date_in_range(value) -> None:
    """A date or datetime between 1900-01-01 and 2200-12-31 (a datetime by its own calendar
    day, as typed); None and "" are left to `required`."""
    if value in (None, ""):
        return
    if not in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


class _InRange:
    default_validators = [validate_date_in_range]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            if isinstance(value, str) and _LONG_YEAR.match(value):
                raise ValidationError(OUT_OF_RANGE, code="date_out_of_range") from None
            raise


class DateField(_InRange, forms.DateField):
    """forms.DateField, within 1900–2200."""


class DateTimeField(_InRange, forms.DateTimeField):
    """forms.DateTimeField, within 1900–2200 (by the day as typed, in the organisation's zone)."""


class DateFilter(django_filters.DateFilter):
    """django-filter's DateFilter, within 1900–2200: an invalid filter shows its error and no
    rows (crm/crud.py `render_list`)."""

    field_class = DateField
