"""Custom fields in the browser (issue 14, "Done when"): the admin adds a required choice field
"Region" to contacts in Settings → Fields, typing and clicking; at once ana's quick add asks for
it, the contacts list shows it, filters by it, and its CSV export has a "Region" column."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from crm.models import CustomField, User
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def people():
    north = TeamFactory(name="North")
    admin = UserFactory(username="admin", role=User.Role.ADMIN, is_staff=True)
    ana = UserFactory(username="ana", role=User.Role.REP, team=north)
    ContactFactory(first_name="Alf", last_name="Berg", owner=ana, custom={"region": "Alps"})
    ContactFactory(first_name="Bea", last_name="Ostsee", owner=ana, custom={"region": "Baltic"})
    return {"admin": admin, "ana": ana}


def add_region_as_admin(page, actions):
    actions.log_in("admin")
    actions.click(page.get_by_role("link", name="Settings"), "open Settings")
    actions.click(page.get_by_role("link", name="Fields"), "open Fields")
    actions.click(page.get_by_role("link", name="New field"), "click New field")
    for_records = page.get_by_role("combobox", name="For")
    actions.click(for_records, "click For")
    actions.assert_focus(for_records)
    actions.press(for_records, "Escape", "close the list")  # the select keeps the focus
    actions.type(for_records, "Contacts")  # a select picks the option typed
    actions.tab_to(page.get_by_label("Label"))
    actions.type(page.get_by_label("Label"), "Region")
    kind = page.get_by_role("combobox", name=re.compile(r"^Type"))
    actions.tab_to(kind)
    actions.type(kind, "Choice")
    expect(kind).to_have_value("choice")
    actions.click(page.get_by_label("Required"), "tick Required")
    actions.click(page.get_by_label("Shown in lists by default"), "tick Shown in lists")
    actions.click(page.get_by_label("Filterable"), "tick Filterable")
    choices = page.get_by_label("Add choices")
    actions.click(choices, "click Add choices")
    actions.type(choices, "North Sea")
    actions.press(choices, "Enter", "new line")
    actions.type(choices, "Baltic")
    actions.press(choices, "Enter", "new line")
    actions.type(choices, "Alps")
    actions.click(page.get_by_role("button", name="Save"), "click Save")
    expect(page.get_by_role("status").or_(page.locator(".message"))).to_contain_text(
        "Added the field “Region”"
    )
    actions.click(page.get_by_role("button", name="Log out"), "log out")


def test_an_admin_adds_region_and_at_once_ana_is_asked_for_it_sees_it_and_filters_by_it(
    page, actions, people, tmp_path
):
    add_region_as_admin(page, actions)
    field = CustomField.objects.get(label="Region")
    assert (field.model, field.type, field.required, field.in_list, field.filterable) == (
        "contact",
        "choice",
        True,
        True,
        True,
    )

    actions.log_in("ana")
    actions.click(page.get_by_role("link", name="Contacts", exact=True), "click Contacts")
    results = page.locator("#results")
    expect(results.get_by_role("columnheader", name="Region")).to_be_visible()
    expect(results).to_contain_text("Baltic")
    page.wait_for_load_state()
    actions.mark_page()

    # Quick add asks for the region, and will not add without it.
    actions.press(page.locator("body"), "n", "press n (quick add)")
    dialog = page.get_by_role("dialog", name="Add")
    first = dialog.get_by_label("First name")
    expect(first).to_be_focused()
    # The duplicate check answers while the name is typed; a person reads it before going on.
    with page.expect_response(re.compile(r"/duplicates/")):
        actions.type(first, "Nils")
    actions.tab_to(dialog.get_by_label("Last name"))
    actions.type(dialog.get_by_label("Last name"), "Nordsee")
    expect(first).to_have_value("Nils")
    expect(dialog.get_by_label("Last name")).to_have_value("Nordsee")
    region = dialog.get_by_label("Region")
    actions.tab_to(region)
    actions.type(region, "North")
    expect(region).to_have_value("North Sea")
    page.screenshot(path=tmp_path / "quick_add_region.png")
    actions.press(region, "Enter", "press Enter to add")
    expect(dialog.get_by_role("status")).to_contain_text("Added contact Nils Nordsee")
    assert Contact.objects.get(first_name="Nils").custom == {"region": "North Sea"}
    actions.press(page.locator("body"), "Escape", "press Esc to close")

    # The list filters by it, as you choose.
    expect(results).to_contain_text("Nordsee")
    choose = page.get_by_role("combobox", name="Region")
    actions.click(choose, "click the Region filter")
    actions.press(choose, "Escape", "close the list")
    actions.type(choose, "Alps")
    expect(results).not_to_contain_text("Ostsee")
    expect(results).to_contain_text("Berg")
    actions.assert_not_reloaded()
    page.screenshot(path=tmp_path / "contacts_by_region.png")

    # The export of what is on screen has the Region column.
    with page.expect_download() as download_info:
        actions.click(page.get_by_role("link", name="CSV"), "click Export CSV")
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Name" and rows[0][-1] == "Region"  # the columns of the table
    assert [(row[0], row[-1]) for row in rows[1:]] == [("Alf Berg", "Alps")]
    actions.assert_no_js_errors()


def test_the_contact_form_asks_for_region_up_front(page, actions, people):
    CustomField.objects.create(
        model="contact",
        key="region",
        label="Region",
        type="choice",
        choices=["North Sea", "Baltic", "Alps"],
        required=True,
    )
    actions.log_in("ana")
    page.goto("/contacts/new/")
    first = page.get_by_label("First name")
    actions.click(first, "click First name")
    actions.type(first, "Greta")
    actions.tab_to(page.get_by_label("Last name"))
    actions.type(page.get_by_label("Last name"), "Gran")
    actions.click(page.get_by_role("button", name="Save"), "click Save")
    expect(page.locator("#record-form .has-error")).to_contain_text("Region")
    expect(page.locator("#record-form .has-error")).to_contain_text("This field is required")
    region = page.get_by_label("Region")
    actions.click(region, "click Region")
    actions.press(region, "Escape", "close the list")
    actions.type(region, "Baltic")
    actions.click(page.get_by_role("button", name="Save"), "click Save")
    expect(page).to_have_url(re.compile(r"/contacts/\d+/$"))
    expect(page.locator(".facts")).to_contain_text("Baltic")
    assert Contact.objects.get(first_name="Greta").custom == {"region": "Baltic"}
