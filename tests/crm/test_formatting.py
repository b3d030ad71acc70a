"""crm/formatting.py: one way to write money, dates, datetimes and changes (STYLE.md #24)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from crm import formatting


@pytest.fixture(autouse=True)
def _organisation(settings):
    settings.HUDDLE_CURRENCY = "EUR"
    settings.TIME_ZONE = "Europe/Berlin"


def test_money_is_the_organisation_currency_in_whole_units_with_thousands():
    assert formatting.money(Decimal("125000.00")) == "€125,000"
    assert formatting.money(Decimal("1234.50")) == "€1,235"  # half up
    assert formatting.money("0") == "€0"
    assert formatting.money(None) == "—"


def test_money_follows_the_currency_setting(settings):
    settings.HUDDLE_CURRENCY = "USD"
    assert formatting.money(Decimal("5")) == "$5"
    settings.HUDDLE_CURRENCY = "SEK"
    assert formatting.money(Decimal("5")) == "SEK\u00a05"


def test_dates_always_carry_the_year():
    assert formatting.date(date(2026, 12, 6)) == "6 Dec 2026"
    assert formatting.date("2026-11-30") == "30 Nov 2026"
    assert formatting.date(None) == "—"


def test_datetimes_read_in_the_organisations_time_zone():
    utc = datetime(2026, 12, 6, 4, 11, tzinfo=ZoneInfo("UTC"))
    assert formatting.datetime(utc) == "6 Dec 2026, 05:11"
    # A datetime's date is its local day: 23:30 UTC is already the next day in Berlin.
    assert formatting.date(datetime(2026, 12, 5, 23, 30, tzinfo=ZoneInfo("UTC"))) == "6 Dec 2026"


def test_a_change_reads_old_to_new_by_the_values_kind():
    assert formatting.change(Decimal("111000.00"), Decimal("125000.00")) == "€111,000 → €125,000"
    assert formatting.change(date(2027, 1, 31), date(2027, 3, 1)) == "31 Jan 2027 → 1 Mar 2027"
    assert formatting.change(None, "Proposal") == "— → Proposal"


def test_months_read_as_words():
    assert formatting.month("2026-12") == "Dec 2026"
    assert formatting.month(date(2027, 1, 1)) == "Jan 2027"


def test_the_template_filters_are_the_same_formatters():
    rendered = Template(
        "{% load huddle %}{{ amount|money }}|{{ day|day }}|{{ at|moment }}|{{ old|change:new }}"
    ).render(
        Context(
            {
                "amount": Decimal("125000"),
                "day": date(2026, 12, 6),
                "at": datetime(2026, 12, 6, 4, 11, tzinfo=ZoneInfo("UTC")),
                "old": Decimal("111000.00"),
                "new": Decimal("125000.00"),
            }
        )
    )
    assert rendered == "€125,000|6 Dec 2026|6 Dec 2026, 05:11|€111,000 → €125,000"
