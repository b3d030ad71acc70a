"""How values read for people: one formatter per kind of value (STYLE.md #24).

Templates (crm/templatetags/huddle.py), tables, reports (reports/display.py) and the inline
editor all show money, dates and datetimes through these functions, so a figure reads the same
on every page. Exports and JSON keep machine values (DECISIONS.md "Money": decimal strings);
nothing here is for them.

- Money: the organisation's currency (settings.HUDDLE_CURRENCY), whole units, thousands
  separated, rounded half up: "€125,000". Cents are left out everywhere — a pipeline is read in
  thousands, and one form on every page beats exactness nobody reads.
- Dates always carry the year ("6 Dec 2026"): a timeline spans years.
- Datetimes are shown in the organisation's time zone: "6 Dec 2026, 05:11".
- A change reads "€111,000 → €125,000"; a missing side is "—".
"""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime as datetime_type
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

EMPTY = "—"
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF\u00a0"}


def currency_symbol(currency: str | None = None) -> str:
    code = (currency or settings.HUDDLE_CURRENCY or "").upper()
    return SYMBOLS.get(code, f"{code}\u00a0" if code else "")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value, currency: str | None = None) -> str:
    """ "€125,000"; "—" for no amount (an empty field is not a zero)."""
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        return EMPTY
    whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if whole < 0 else ""
    return f"{sign}{currency_symbol(currency)}{abs(whole):,.0f}"


def number(value) -> str:
    """A count: "1,204"."""
    figure = _decimal(value)
    if figure is None:
        return EMPTY
    return f"{figure.quantize(Decimal(1), rounding=ROUND_HALF_UP):,.0f}"


def percent(value) -> str:
    if value is None or value == "":
        return EMPTY
    return f"{value}%"


def _parse(value):
    """A date or datetime from an ISO string (report rows keep machine values); else as given."""
    if isinstance(value, str):
        try:
            return (
                datetime_type.fromisoformat(value)
                if len(value) > 10
                else date_type.fromisoformat(value)
            )
        except ValueError:
            return value
    return value


def date(value) -> str:
    """ "6 Dec 2026": the year always. A datetime is shown by its local calendar day."""
    value = _parse(value)
    if isinstance(value, datetime_type):
        value = _local(value).date()
    if not isinstance(value, date_type):
        return EMPTY if value in (None, "") else str(value)
    return f"{value.day} {value:%b %Y}"


def datetime(value) -> str:
    """ "6 Dec 2026, 05:11" in the organisation's time zone."""
    value = _parse(value)
    if not isinstance(value, datetime_type):
        return date(value)
    local = _local(value)
    return f"{local.day} {local:%b %Y, %H:%M}"


def month(value) -> str:
    """ "Dec 2026" from a date or a "2026-12" key."""
    if isinstance(value, str):
        try:
            value = date_type.fromisoformat(f"{value}-01" if len(value) == 7 else value)
        except ValueError:
            return value or EMPTY
    if not isinstance(value, date_type):
        return EMPTY if value is None else str(value)
    return f"{value:%b %Y}"


def _local(moment: datetime_type) -> datetime_type:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def value(value) -> str:
    """Any value by its type: money for a decimal, a date, a datetime; text as it is."""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime_type):
        return datetime(value)
    if isinstance(value, date_type):
        return date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def change(old, new) -> str:
    """ "€111,000 → €125,000"; a side that was not there reads "—"."""
    before = EMPTY if old is None or old == "" else value(old)
    after = EMPTY if new is None or new == "" else value(new)
    return f"{before} → {after}"
