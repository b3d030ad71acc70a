"""contacts/normalize.py: the canonical forms search and duplicate checks compare."""

from io import StringIO

import pytest
from django.core.management import call_command

from contacts.models import Company, Contact
from contacts.normalize import email_domain, normalize_email, normalize_phone, normalize_text
from tests.factories import CompanyFactory, ContactFactory


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nora@Nordwind.EXAMPLE ", "nora@nordwind.example"),
        ("nora@nordwind.example", "nora@nordwind.example"),
        ("", ""),
        (None, ""),
    ],
)
def test_an_email_is_trimmed_and_lower_cased(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["+49 (30) 123-45", "0049 30 12345", "+49 30 12345", "+493012345", "0049-30-123.45"],
)
def test_an_international_number_in_any_format_reduces_to_the_same_digits(raw):
    assert normalize_phone(raw) == "493012345"


def test_a_leading_double_zero_is_read_as_plus_only_at_the_very_start():
    assert normalize_phone("  0049 30 12345") == "493012345"
    assert normalize_phone("30 0049 12") == normalize_phone("030 004912")


@pytest.mark.parametrize(
    "raw",
    ["0175-69827971", "0175 69827971", "+49 175 69827971", "+4917569827971", "0049175 69827971"],
)
def test_a_national_and_an_international_number_are_one_e164_number_in_the_region(raw):
    """The organisation's region (HUDDLE_PHONE_REGION, DE by default) reads the trunk 0."""
    assert normalize_phone(raw) == "4917569827971"


def test_the_region_is_the_organisations_setting(settings):
    settings.HUDDLE_PHONE_REGION = "AT"

    assert normalize_phone("0664 1234567") == "436641234567"
    assert normalize_phone("+49 175 69827971") == "4917569827971"  # a foreign one stays foreign


def test_a_number_phonenumbers_cannot_read_keeps_its_digits():
    assert normalize_phone("0049") == "49"
    assert normalize_phone("+0") == "0"


@pytest.mark.parametrize("raw", ["", None, "   ", "n/a", "+"])
def test_a_phone_without_digits_is_empty(raw):
    assert normalize_phone(raw) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Zoë  Müller", "zoe muller"),
        ("ÅSA\tÖberg\n", "asa oberg"),
        ("Crème Brûlée GmbH", "creme brulee gmbh"),
        ("ﬁne", "fine"),  # compatibility forms are folded too (NFKD)
        ("", ""),
        (None, ""),
    ],
)
def test_text_is_lower_cased_accent_folded_and_space_collapsed(raw, expected):
    assert normalize_text(raw) == expected


def test_letters_without_a_decomposition_are_kept_as_they_are():
    assert normalize_text("Straße") == "straße"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nora@Nordwind.Example", "nordwind.example"),
        (" a@b@Sub.Example ", "sub.example"),
        ("no-at-sign", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_the_domain_of_an_email_is_what_follows_the_last_at_sign(raw, expected):
    assert email_domain(raw) == expected


def test_saving_a_contact_stores_its_normalised_copies(db):
    contact = ContactFactory(
        first_name="  Zoë", last_name="Müller ", email=" Zoe@Example.COM", phone="+49 (30) 123-45"
    )

    contact.refresh_from_db()
    assert contact.name_normalized == "zoe muller"
    assert contact.email_normalized == "zoe@example.com"
    assert contact.phone_normalized == "493012345"


def test_saving_a_company_stores_its_normalised_name_phone_and_lower_case_domain(db):
    company = CompanyFactory(
        name="Nördwind  GmbH", phone="0049 30 12345", domain=" Nordwind.EXAMPLE "
    )

    company.refresh_from_db()
    assert company.name_normalized == "nordwind gmbh"
    assert company.phone_normalized == "493012345"
    assert company.domain == "nordwind.example"


def test_saving_a_contact_stores_what_was_typed_beside_the_e164_number(db):
    contact = ContactFactory(phone="0175-69827971")

    contact.refresh_from_db()
    assert contact.phone == "0175-69827971"
    assert contact.phone_normalized == "4917569827971"


def test_the_demo_seed_stores_the_numbers_as_normalize_phone_reads_them(db):
    """reports/demo_data.py writes the E.164 digits out instead of parsing each number."""
    args = ["--companies", "10", "--contacts", "40", "--deals", "5", "--activities", "20"]
    call_command("seed_demo", *args, stdout=StringIO())

    rows = [*Contact.objects.all(), *Company.objects.all()]
    assert len(rows) == 50
    assert all(r.phone and r.phone_normalized == normalize_phone(r.phone) for r in rows)
