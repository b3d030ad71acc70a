"""Phone numbers as one canonical string: E.164 digits (without the "+"), read in the
organisation's region (settings.HUDDLE_PHONE_REGION), so search and duplicate checks agree.

"0175-69827971", "0175 69827971", "+49 175 69827971" and "+4917569827971" are one number in
Germany: "4917569827971". It lives in crm because global search (crm/search.py) reads what a user
types the same way contacts/normalize.py stores it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from django.conf import settings

_NON_DIGITS = re.compile(r"\D+")
NATIONAL_QUERY_DIGITS = 5  # "0175 6…" is the start of a national number; "0101" is a tail


def e164_digits(value: str | None, region: str | None = None) -> str:
    """The E.164 digits of a number as typed. What phonenumbers cannot read keeps its digits
    (a leading 00 read as +), so an odd number still matches itself."""
    return _e164_digits((value or "").strip(), region or settings.HUDDLE_PHONE_REGION)


@lru_cache(maxsize=65_536)
def _e164_digits(value: str, region: str) -> str:
    # Parsing costs ~60 µs and imports, searches and saves read the same numbers over and
    # over; the answer depends only on the text and the region, both in the key.
    digits = _NON_DIGITS.sub("", value)
    if not digits:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and number.national_number:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    return digits[2:] if value.startswith("00") else digits


def query_digits(value: str | None) -> str:
    """What to look for when someone types (part of) a number: one that starts as a whole
    number does (+49…, 0049…, 0175 6…) as E.164 digits, the start of the stored number; a few
    digits (the last ones, "0101") as they are, a tail of it."""
    value = (value or "").strip()
    digits = _NON_DIGITS.sub("", value)
    if value.startswith(("+", "00")) or (
        value.startswith("0") and len(digits) >= NATIONAL_QUERY_DIGITS
    ):
        return e164_digits(value) or digits
    return digits
