"""The duplicate hint (`contacts:duplicates`), as the contact and company forms ask it while
typing: phone numbers are compared as E.164 numbers in the organisation's region."""

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, ContactFactory

HX = {"HX-Request": "true"}
SAME_NUMBER = ["0175-69827971", "0175 69827971", "+49 175 69827971", "+4917569827971"]


def hint(client, **params) -> str:
    response = client.get(reverse("contacts:duplicates"), params, headers=HX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("stored", SAME_NUMBER)
@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_a_contact_with_the_same_number_in_another_format_is_a_duplicate(
    client_for, org, stored, typed
):
    existing = ContactFactory(
        first_name="Dora", last_name="Dialled", phone=stored, owner=org["ana"]
    )

    body = hint(client_for("ana"), kind="contact", last_name="Newname", phone=typed)

    assert f'<a href="{existing.get_absolute_url()}">Dora Dialled</a>' in body
    assert "same phone" in body


def test_a_company_with_the_same_number_in_another_format_is_a_duplicate(client_for, org):
    existing = CompanyFactory(name="Ringing AG", phone="+49 171 5550101", owner=org["ana"])

    body = hint(client_for("ana"), kind="company", name="Other", phone="0171 5550101")

    assert f'<a href="{existing.get_absolute_url()}">Ringing AG</a>' in body
    assert "same phone" in body


def test_another_number_is_no_duplicate(client_for, org):
    ContactFactory(last_name="Dialled", phone="0175 69827971", owner=org["ana"])

    body = hint(client_for("ana"), kind="contact", last_name="Newname", phone="0175 69827972")

    assert "Possible duplicate" not in body


def test_a_number_the_user_may_not_see_is_named_only_by_its_owner(client_for, org):
    ContactFactory(first_name="Hidden", last_name="Person", phone="0175 69827971", owner=org["ana"])

    body = hint(client_for("carla"), kind="contact", last_name="Newname", phone="+4917569827971")

    assert "Already in Huddle, owned by Ana" in body
    assert "Hidden" not in body
