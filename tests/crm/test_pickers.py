"""Pickers that scale (crm/pickers.py): the type-ahead endpoint (`picker`) and the widget every
company, contact and deal choice of the full forms and quick add uses."""

import re

import pytest
from django.urls import reverse

from contacts.models import Activity, Contact
from crm import visibility
from deals.models import Deal
from tests.factories import CompanyFactory, ContactFactory, DealFactory, StageFactory

HX = {"HX-Request": "true"}


def pick(client, q, kinds="contact,company,deal"):
    response = client.get(reverse("picker"), {"kinds": kinds, "q": q}, headers=HX)
    assert response.status_code == 200
    return response.content.decode()


def options(body: str) -> list[str]:
    return re.findall(r'data-label="([^"]*)"', body)


# ---- the endpoint ---------------------------------------------------------------------------


def test_typing_finds_contacts_companies_and_deals_with_their_company_and_owner(
    client_for, north_records
):
    body = pick(client_for("ben"), "nord")

    assert options(body) == ["Nora Secretname", "Nordwind GmbH", "Nordwind rollout"]
    contact = north_records["contact"]
    assert f'data-value="contact:{contact.pk}"' in body
    assert "Contact · Nordwind GmbH · nora@nordwind.example" in body
    assert "· Ana" in body  # the owner, for whoever picks
    assert "<html" not in body and 'class="topbar"' not in body


def test_one_kind_answers_plain_ids_for_a_model_choice(client_for, north_records):
    body = pick(client_for("ana"), "nordw", kinds="company")

    assert options(body) == ["Nordwind GmbH"]
    assert f'data-value="{north_records["company"].pk}"' in body


def test_an_outsider_finds_nothing_of_another_team(client_for, north_records):
    body = pick(client_for("carla"), "nord")

    assert options(body) == []
    assert "Nothing you may see matches “nord”." in body
    assert "Nordwind" not in body.replace("“nord”", "")


def test_the_phone_number_in_any_format_finds_the_contact(client_for, north_records):
    assert options(pick(client_for("ana"), "030 1234567", kinds="contact")) == ["Nora Secretname"]


def test_one_letter_asks_for_more(client_for, north_records):
    body = pick(client_for("ana"), "n")

    assert options(body) == [] and "Type two letters or more" in body


@pytest.mark.parametrize("kinds", ["", "user", "activity", "contact:1", "x" * 300])
def test_no_kind_it_can_pick_is_404(client_for, kinds):
    response = client_for("ana").get(reverse("picker"), {"kinds": kinds, "q": "ana"})

    assert response.status_code == 404


@pytest.mark.parametrize("size", [1, 20])
def test_the_picker_answers_in_two_queries_whatever_it_finds(
    client_for, org, size, django_assert_num_queries
):
    """The user (with the session), one search query (matches, company names, owners): within
    the budget of three."""
    client = client_for("ana")
    visibility.current_policy()  # cached per process, as for nearly every real request
    for i in range(size):
        company = CompanyFactory(name=f"Pickme Company {i}", owner=org[("ana", "ben")[i % 2]])
        ContactFactory(last_name=f"Pickme {i}", company=company, owner=org["ben"])
        DealFactory(title=f"Pickme deal {i}", company=company, owner=org["ana"])

    with django_assert_num_queries(2):
        body = pick(client, "pickme")

    assert len(options(body)) == 3 * min(size, 8)  # eight per kind at most


# ---- the widget in the full forms -----------------------------------------------------------


def test_the_contact_form_offers_no_select_of_every_company(client_for, org):
    for i in range(30):
        CompanyFactory(name=f"Ben's company {i}", owner=org["ben"])  # visible to ana
    CompanyFactory(name="Ana's own GmbH", owner=org["ana"])

    body = client_for("ana").get(reverse("contacts:create")).content.decode()

    select = body[body.index('<select name="company"') : body.index("</select>")]
    assert select.count("<option") == 2  # the empty choice and her own recent one
    assert "Ana&#x27;s own GmbH" in select
    assert f'data-picker-url="{reverse("picker")}?kinds=company"' in body
    assert 'class="picker-input"' in body


def test_a_company_found_by_typing_is_saved_though_the_select_did_not_list_it(client_for, org):
    company = CompanyFactory(name="Far down the list", owner=org["ben"])

    client_for("ana").post(
        reverse("contacts:create"),
        {"last_name": "Picked", "company": company.pk, "owner": org["ana"].pk},
    )

    assert Contact.objects.get(last_name="Picked").company == company


def test_a_forged_company_of_another_team_is_refused_by_the_full_form(
    client_for, north_records, org
):
    response = client_for("carla").post(
        reverse("contacts:create"),
        {"last_name": "Forged", "company": north_records["company"].pk, "owner": org["carla"].pk},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Contact.objects.filter(last_name="Forged").exists()


def test_the_deal_form_and_the_activity_form_pick_by_typing(client_for, north_records):
    client = client_for("ana")
    deal_form = client.get(reverse("deals:create")).content.decode()
    activity = north_records["activity"]
    activity_form = client.get(reverse("contacts:activity-edit", args=[activity.pk]))
    activity_form = activity_form.content.decode()

    assert f'data-picker-url="{reverse("picker")}?kinds=company"' in deal_form
    assert f'data-picker-url="{reverse("picker")}?kinds=company"' in activity_form
    assert f'data-picker-url="{reverse("picker")}?kinds=deal"' in activity_form
    # the linked ones stay chosen
    assert f'<option value="{activity.deal_id}" selected>' in activity_form
    assert f'<option value="{activity.company_id}" selected>' in activity_form


def test_a_deal_saves_the_company_typed_into_its_picker(client_for, org):
    company = CompanyFactory(name="Typed GmbH", owner=org["ben"])
    stage = StageFactory(name="Lead", order=0, probability=10)

    client_for("ana").post(
        reverse("deals:create"),
        {
            "title": "Picked deal",
            "company": company.pk,
            "pipeline": stage.pipeline_id,
            "stage": stage.pk,
            "amount": "10",
            "expected_close": "2030-01-01",
            "owner": org["ana"].pk,
        },
    )

    assert Deal.objects.get(title="Picked deal").company == company
    assert Activity.objects.count() == 0
