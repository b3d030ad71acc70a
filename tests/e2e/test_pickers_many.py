"""Pickers that scale, the rest of them (issue 13): the contacts of an activity are a type-ahead
with removable chips (crm.pickers.MultiPicker), and the contacts and deals lists filter by company
through the same type-ahead (crm.pickers.PickerFilterSet) — no select lists every record."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Activity
from crm.models import User
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def ana():
    return UserFactory(username="ana", role=User.Role.REP, team=TeamFactory(name="North"))


@pytest.fixture
def people(ana):
    nordwind = CompanyFactory(name="Nordwind GmbH", owner=ana)
    alpen = CompanyFactory(name="Alpenglow AG", owner=ana)
    nora = ContactFactory(first_name="Nora", last_name="Lindqvist", company=nordwind, owner=ana)
    norbert = ContactFactory(first_name="Norbert", last_name="Brandt", company=alpen, owner=ana)
    return {"nordwind": nordwind, "alpen": alpen, "nora": nora, "norbert": norbert}


def test_a_rep_adds_and_removes_the_contacts_of_a_meeting_by_typing(page, actions, ana, people):
    meeting = ActivityFactory(kind="meeting", subject="Rollout review", owner=ana)
    meeting.contacts.set([people["nora"]])
    actions.log_in("ana")
    page.goto(f"/activities/{meeting.pk}/edit/")
    actions.click(page.get_by_text("More", exact=True), "open More")
    contacts = page.get_by_role("combobox", name="Contacts")
    chips = page.get_by_role("list", name="Chosen")
    expect(chips).to_contain_text("Nora Lindqvist")  # the linked one shows as a chip

    actions.click(contacts, "click Contacts")
    actions.assert_focus(contacts)
    actions.type(contacts, "brandt")
    option = page.get_by_role("option", name=re.compile("Norbert Brandt"))
    expect(option).to_contain_text("Alpenglow AG")
    actions.press(contacts, "Enter", "press Enter to add Norbert")
    expect(chips).to_contain_text("Norbert Brandt")
    actions.assert_focus(contacts)  # stays, to add another
    expect(contacts).to_have_value("")

    actions.click(page.get_by_role("button", name="Remove Nora Lindqvist"), "remove Nora")
    expect(chips).not_to_contain_text("Nora Lindqvist")
    actions.assert_focus(contacts)
    actions.click(page.get_by_role("button", name="Save"), "click Save")
    page.screenshot(path="/tmp/after_save.png")
    expect(page).to_have_url(re.compile(rf"/activities/{meeting.pk}/$"))

    meeting = Activity.objects.get(pk=meeting.pk)
    assert list(meeting.contacts.all()) == [people["norbert"]]
    actions.assert_no_js_errors()


@pytest.mark.parametrize(
    "path, shown, hidden",
    [
        ("/contacts/", "Nora Lindqvist", "Norbert Brandt"),
        ("/deals/", "Wind deal", "Alpine deal"),
    ],
)
def test_a_list_filters_by_company_through_a_type_ahead(
    page, actions, ana, people, path, shown, hidden
):
    DealFactory(title="Wind deal", company=people["nordwind"], owner=ana)
    DealFactory(title="Alpine deal", company=people["alpen"], owner=ana)
    actions.log_in("ana")
    page.goto(path)
    results = page.locator("#results")
    expect(results).to_contain_text(hidden)
    actions.mark_page()
    company = page.get_by_role("combobox", name="Company")
    actions.click(company, "click the Company filter")
    actions.type(company, "nordw")
    expect(page.get_by_role("option", name=re.compile("Nordwind GmbH"))).to_be_visible()
    actions.press(company, "Enter", "press Enter to pick Nordwind")
    expect(results).not_to_contain_text(hidden)
    expect(results).to_contain_text(shown)
    expect(page).to_have_url(re.compile(rf"company={people['nordwind'].pk}"))
    actions.assert_not_reloaded()

    # Clearing the picker clears the filter.
    actions.click(company, "click the Company filter again")
    actions.press(company, "Control+a", "select the company's name")
    actions.press(company, "Backspace", "delete it")
    expect(results).to_contain_text(hidden)
    actions.assert_no_js_errors()
