"""contacts/importing/values.py: one cell read as its field's type, or a message saying why not."""

from datetime import date
from decimal import Decimal

import pytest

from contacts.importing.values import (
    CellError,
    PartialDate,
    guess_decimal,
    parse_birthday,
    parse_bool,
    parse_date,
    parse_email,
    parse_number,
    parse_phone,
    parse_text,
    parse_url,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-04-23", date(1985, 4, 23)),
        ("1985-4-3", date(1985, 4, 3)),
        ("1985-04-23T14:30:00", date(1985, 4, 23)),
        ("1985-04-23 00:00:00+02:00", date(1985, 4, 23)),
        ("19850423", date(1985, 4, 23)),
        ("1985/04/23", date(1985, 4, 23)),
        ("23.04.1985", date(1985, 4, 23)),
        ("3.4.85", date(1985, 4, 3)),
        ("4/23/1985", date(1985, 4, 23)),  # the second number cannot be a month
        ("23/04/1985", date(1985, 4, 23)),  # the first cannot
        ("04/05/1985", date(1985, 4, 5)),  # both could: month first, as Outlook writes
        ("23-04-1985", date(1985, 4, 23)),
        ("1/2/29", date(2029, 1, 2)),  # two-digit years as Excel reads them
        ("1/2/30", date(1930, 1, 2)),
        ("23 Apr 1985", date(1985, 4, 23)),
        ("23. März 1985", date(1985, 3, 23)),
        ("April 23, 1985", date(1985, 4, 23)),
        ("", None),
        ("   ", None),
        ("0/0/00", None),  # Outlook's empty date
        ("00.00.0000", None),
    ],
)
def test_a_date_is_read_in_the_forms_exports_write(text, expected):
    assert parse_date(text) == expected


def test_an_ambiguous_slashed_date_is_read_day_first_when_asked():
    assert parse_date("04/05/1985", dayfirst=True) == date(1985, 5, 4)
    assert parse_date("4/23/1985", dayfirst=True) == date(1985, 4, 23)  # unambiguous stays


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "next tuesday",
            "“next tuesday” is not a date; write it as 1985-04-23, 23.04.1985 or 4/23/1985.",
        ),
        (
            "13/13/1985",
            "“13/13/1985” is not a date: there is no such day; write it as 1985-04-23, "
            "23.04.1985 or 4/23/1985.",
        ),
        (
            "1985-02-29",
            "“1985-02-29” is not a date: there is no such day; write it as 1985-04-23, "
            "23.04.1985 or 4/23/1985.",
        ),
        ("1850-01-01", "“1850-01-01” is not between 1900 and 2200."),
        ("--04-23", "“--04-23” has no year; write it as 1985-04-23, 23.04.1985 or 4/23/1985."),
        ("abc", "“abc” is not a date; write it as 1985-04-23, 23.04.1985 or 4/23/1985."),
    ],
)
def test_a_bad_date_says_what_is_wrong(text, message):
    with pytest.raises(CellError) as error:
        parse_date(text)
    assert error.value.message == message


def test_a_very_long_bad_value_is_shortened_in_the_message():
    with pytest.raises(CellError) as error:
        parse_date("x" * 500)
    assert (
        error.value.message
        == f"“{'x' * 40}…” is not a date; write it as 1985-04-23, 23.04.1985 or 4/23/1985."
    )


@pytest.mark.parametrize(
    ("text", "expected", "iso"),
    [
        ("--04-23", PartialDate(4, 23), "--04-23"),
        ("--0423", PartialDate(4, 23), "--04-23"),
        ("23.04.", PartialDate(4, 23), "--04-23"),
        ("--02-29", PartialDate(2, 29), "--02-29"),  # a leap-day birthday needs no year
        ("1985-04-23", PartialDate(4, 23, 1985), "1985-04-23"),
        ("0/0/00", None, None),
    ],
)
def test_a_birthday_may_lack_its_year(text, expected, iso):
    birthday = parse_birthday(text)
    assert birthday == expected
    if expected is not None:
        assert birthday.iso() == iso
        assert str(birthday) == iso


def test_a_partial_date_becomes_a_date_only_with_a_year():
    assert PartialDate(4, 23, 1985).to_date() == date(1985, 4, 23)
    assert PartialDate(4, 23).to_date() is None


def test_a_year_less_birthday_must_still_be_a_day_of_the_year():
    with pytest.raises(CellError) as error:
        parse_birthday("--02-30")
    assert error.value.message.startswith("“--02-30” is not a date: there is no such day")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", Decimal("1234")),
        ("1234.56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1,234,567", Decimal("1234567")),
        ("1'234.50", Decimal("1234.50")),  # Swiss
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,50 €", Decimal("1234.50")),
        ("€1,234.56", Decimal("1234.56")),
        ("$ 12.50", Decimal("12.50")),
        ("EUR 1.234,56", Decimal("1234.56")),
        ("1234.56 CHF", Decimal("1234.56")),
        ("-12,5", Decimal("-12.5")),
        ("(12.50)", Decimal("-12.50")),
        ("0,500", Decimal("0.500")),  # a thousands group never starts with 0
        ("1234,567", Decimal("1234.567")),  # four digits before: cannot be grouping
        ("", None),
    ],
)
def test_a_number_or_amount_is_read_by_its_last_separator(text, expected):
    assert parse_number(text) == expected


def test_one_separator_before_three_digits_is_read_as_the_column_says():
    with pytest.raises(CellError) as error:
        parse_number("1,500")
    assert error.value.message == (
        "“1,500” could be 1500 or 1.500; write it without a thousands separator."
    )
    assert parse_number("1,500", decimal=".") == Decimal("1500")
    assert parse_number("1,500", decimal=",") == Decimal("1.500")
    assert parse_number("1.500", decimal=",") == Decimal("1500")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.500", "2.345,50", "12"], ","),
        (["1,500", "2,345.50"], "."),
        (["1,500", "12,5 €"], ","),
        (["1,234,567"], "."),
        (["1,500", "2,500"], None),
        (["", "12"], None),
    ],
)
def test_the_decimal_separator_of_a_column_is_found_in_its_unambiguous_cells(cells, expected):
    assert guess_decimal(cells) == expected


@pytest.mark.parametrize("text", ["12 apples", "1e5", "NaN", "1.2.3", "1,23.45", "--", "€"])
def test_what_is_not_a_number_says_so(text):
    with pytest.raises(CellError) as error:
        parse_number(text)
    assert error.value.message == f"“{text}” is not a number."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), ("Ja", True),
        ("WAHR", True), ("no", False), ("n", False), ("False", False), ("0", False),
        ("nein", False), ("", None),
    ],
)  # fmt: skip
def test_yes_and_no_are_read_in_the_usual_spellings(text, expected):
    assert parse_bool(text) is expected


def test_neither_yes_nor_no_says_so():
    with pytest.raises(CellError) as error:
        parse_bool("maybe")
    assert error.value.message == "“maybe” is not yes or no; write yes/no, true/false, 1/0 or x."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" anna@example.com ", "anna@example.com"),
        ("mailto:anna@example.com", "anna@example.com"),
        ("Anna Schmidt <anna@example.com>", "anna@example.com"),
        ("", None),
    ],
)
def test_an_email_is_checked_and_kept_as_typed(text, expected):
    assert parse_email(text) == expected


@pytest.mark.parametrize("text", ["anna", "anna@", "@example.com", "=HYPERLINK(1)"])
def test_what_is_not_an_email_says_so(text):
    with pytest.raises(CellError) as error:
        parse_email(text)
    assert error.value.message == f"“{text}” is not an e-mail address."


def test_a_web_address_gets_its_scheme_and_is_checked():
    assert parse_url("www.nordwind.example") == "https://www.nordwind.example"
    assert parse_url("http://nordwind.example/a?b=1") == "http://nordwind.example/a?b=1"
    assert parse_url("") is None
    with pytest.raises(CellError) as error:
        parse_url("not a site")
    assert error.value.message == "“not a site” is not a web address."
    with pytest.raises(CellError):
        parse_url("javascript:alert(1)")


def test_a_phone_is_kept_as_typed_and_must_hold_a_digit():
    assert parse_phone(" +49 (0)30 123-45 ") == "+49 (0)30 123-45"
    assert parse_phone("tel:+1-418-262-6501") == "+1-418-262-6501"
    assert parse_phone("") is None
    with pytest.raises(CellError) as error:
        parse_phone("call me")
    assert error.value.message == "“call me” is not a phone number."


@pytest.mark.parametrize("text", ["=1+1", "@SUM(A1)", "+49 30 1234", "-5", '=HYPERLINK("x")'])
def test_text_that_looks_like_a_formula_is_returned_verbatim(text):
    assert parse_text(text) == text


def test_a_formula_looking_phone_is_stored_as_typed():
    assert parse_phone("=1+1") == "=1+1"
