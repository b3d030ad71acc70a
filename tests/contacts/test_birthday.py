"""A contact's birthday, with or without the year (contacts/birthdays.py), through the contact
form, the detail page, the export and the model's own rule."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from contacts.importing.vcard import read_vcards
from contacts.models import Contact
from crm.records import record_update
from tests.crm.test_stale_edit import opened
from tests.factories import ContactFactory


def save_birthday(client, contact, typed: str):
    url = reverse("contacts:edit", args=[contact.pk])
    return client.post(url, opened(client, url) | {"birthday": typed})


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("1985-04-23", "1985-04-23", "23 April 1985"),
        ("23.04.1985", "1985-04-23", "23 April 1985"),
        (" 3.4.1985 ", "1985-04-03", "3 April 1985"),
        ("--04-23", "--04-23", "23 April"),
        ("23.04.", "--04-23", "23 April"),
        ("29.02.", "--02-29", "29 February"),
        ("23 April 1985", "1985-04-23", "23 April 1985"),
        ("23 apr", "--04-23", "23 April"),
        ("", "", "—"),
    ],
)
def test_a_birthday_is_typed_in_any_usual_form_and_shown_in_words(
    client_for, org, typed, stored, shown
):
    contact = ContactFactory(owner=org["ana"], birthday="1970-01-01")
    client = client_for("ana")

    response = save_birthday(client, contact, typed)

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.birthday == stored
    page = client.get(contact.get_absolute_url()).content.decode()
    assert f"<dt>Birthday</dt><dd>{shown}</dd>" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("23.04.85", "Enter a birthday as 1985-04-23, 23.04.1985"),
        ("April 23", "Enter a birthday as 1985-04-23, 23.04.1985"),
        ("23 Smarch", "Enter a birthday as 1985-04-23, 23.04.1985"),
        ("31.04.1985", "That day does not exist."),
        ("30.02.", "That day does not exist."),
        ("1850-01-01", "Enter a birthday between 1900 and today."),
        ("2999-01-01", "Enter a birthday between 1900 and today."),
    ],
)
def test_a_birthday_that_is_no_day_is_refused_with_a_message_and_nothing_changes(
    client_for, org, typed, message
):
    contact = ContactFactory(owner=org["ana"], birthday="--12-24", city="Kiel")
    client = client_for("ana")
    url = reverse("contacts:edit", args=[contact.pk])

    response = client.post(url, opened(client, url) | {"birthday": typed, "city": "Bonn"})

    assert response.status_code == 200
    assert message in response.content.decode()
    contact.refresh_from_db()
    assert (contact.birthday, contact.city, contact.version) == ("--12-24", "Kiel", 1)


def test_the_edit_form_shows_the_stored_birthday_and_how_to_type_one(client_for, org):
    contact = ContactFactory(owner=org["ana"], birthday="--04-23")

    body = client_for("ana").get(reverse("contacts:edit", args=[contact.pk])).content.decode()

    assert 'name="birthday" value="--04-23"' in body
    assert "e.g. 1985-04-23, 23.04.1985, or without the year 23.04." in body


def test_the_model_refuses_a_birthday_written_around_the_form(org):
    contact = ContactFactory(owner=org["ana"])
    contact.birthday = "23.04.1985"  # not a stored form: parse() is the form's, not the model's

    with pytest.raises(ValidationError) as error, transaction.atomic():
        record_update(record=contact, by=org["ana"], fields=["birthday"])

    assert "birthday" in error.value.message_dict
    assert Contact.objects.get(pk=contact.pk).birthday == ""


def test_the_vcard_export_carries_the_birthday_and_it_reads_back(client_for, org):
    # The CSV/XLSX export holds the list's columns (issue 16); the vCard holds the birthday.
    ContactFactory(owner=org["ana"], last_name="Aaberg", birthday="--04-23")

    response = client_for("ana").get(reverse("contacts:export", args=["vcf"]))

    text = response.getvalue().decode()
    assert "\r\nBDAY:--0423\r\n" in text
    card = read_vcards(text)
    assert card.rows[0].cells[card.headers.index("Birthday")] == "--04-23"
