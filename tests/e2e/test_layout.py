"""Settings → Layout in the browser (issue 14, point 7): the admin types a new position for a
custom field and unticks a column, saves, and the contact's page shows the field where it was
put while the contacts list leaves the column out for someone who has not chosen their own."""

import pytest
from playwright.sync_api import expect

from crm.models import CustomField, Layout, User
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def contact():
    north = TeamFactory(name="North")
    UserFactory(username="admin", role=User.Role.ADMIN, is_staff=True, team=north)
    CustomField.objects.create(
        model="contact", key="region", label="Region", type="choice", choices=["North", "South"]
    )
    return ContactFactory(
        first_name="Nora",
        last_name="Nordwind",
        job_title="Buyer",
        email="nora@nordwind.example",
        owner=UserFactory(username="ana", team=north),
        custom={"region": "North"},
    )


def test_the_admin_places_a_field_and_hides_a_column(page, actions, contact):
    actions.log_in("admin")
    actions.click(page.get_by_role("link", name="Settings"), "open Settings")
    actions.click(page.get_by_role("link", name="Layout"), "open Layout")
    expect(page.get_by_role("heading", level=1)).to_have_text("Layout: Contacts")

    position = page.get_by_label("Position of Region")
    actions.click(position, "click Region's position")
    actions.press(position, "Control+a", "select the position")
    actions.type(position, "1")
    email = page.get_by_label("E-mail shown")
    actions.click(email, "untick the E-mail column")
    actions.click(page.get_by_role("button", name="Save layout"), "click Save layout")
    expect(page.locator("#messages")).to_contain_text("Saved the layout of contacts.")
    expect(page.get_by_label("E-mail shown")).not_to_be_checked()
    expect(page.get_by_label("Position of Region")).to_have_value("1")
    actions.assert_count(7)  # 1 log in, 2 to the page, 3 for the position, 1 box
    layout = Layout.objects.get(kind="contact")
    assert layout.order[0] == "custom_region" and "email" not in layout.columns

    page.goto(contact.get_absolute_url())
    facts = page.locator(".facts dl dt")
    expect(facts.first).to_have_text("Region")
    expect(page.locator(".facts dl dd").first).to_contain_text("North")

    page.goto("/contacts/")
    headers = page.locator("#results thead th")
    expect(headers.first).to_contain_text("Name")
    expect(page.locator("#results thead")).not_to_contain_text("E-mail")
    expect(page.locator("#results tbody")).to_contain_text("Nora")
    actions.assert_no_js_errors()
