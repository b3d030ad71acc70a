"""A second e-mail, typed into a contact's edit form like a person does, and read back on its
page: click the blank row, type, pick the label by typing on it, "Add another e-mail" for one
more row (the focus lands in it, no reload), Save, and the page lists both with their labels.
"""

import pytest
from playwright.sync_api import expect

from crm.models import User
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_second_and_third_e_mail_are_added_in_the_form_and_shown_on_the_page(page, actions):
    north = TeamFactory(name="North")
    ana = UserFactory(username="ana", role=User.Role.REP, team=north)
    nora = ContactFactory(
        first_name="Nora", last_name="Nordwind", email="nora@nordwind.example", owner=ana
    )
    actions.log_in("ana")
    page.goto(f"/contacts/{nora.pk}/edit/")
    actions.mark_page()
    before = actions.count

    second = page.get_by_label("2nd e-mail", exact=True)
    actions.click(second, "click the blank row for another e-mail")
    actions.type(second, "Nora.Home@Mail.example")
    actions.tab(back=True)  # to the row's label
    label = page.get_by_label("Label of the 2nd e-mail")
    actions.type(label, "h")  # a closed select picks the option typed: "home"
    expect(label).to_have_value("home")

    actions.click(page.get_by_role("button", name="Add another e-mail"), "click Add another")
    third = page.get_by_label("3rd e-mail", exact=True)
    actions.assert_focus(third)  # the new row takes the focus
    actions.assert_not_reloaded()
    expect(page.get_by_label("2nd e-mail", exact=True)).to_have_value("Nora.Home@Mail.example")
    expect(page.get_by_label("Label of the 2nd e-mail")).to_have_value("home")
    actions.type(third, "nn@partner.example")

    actions.click(page.get_by_role("button", name="Save"), "click Save")

    expect(page).to_have_url(nora.get_absolute_url())
    emails = page.locator("#contact-emails li")
    expect(emails).to_have_count(3)
    expect(emails.nth(0)).to_contain_text("nora@nordwind.example")
    expect(emails.nth(0)).to_contain_text("work")
    expect(emails.nth(1)).to_have_text("Nora.Home@Mail.example" + "home")
    expect(emails.nth(1).get_by_role("link")).to_have_attribute(
        "href", "mailto:Nora.Home@Mail.example"
    )
    expect(emails.nth(2)).to_have_text("nn@partner.example" + "work")
    actions.assert_count(before + 3)
    actions.assert_no_js_errors()
    nora.refresh_from_db()
    assert nora.emails == [
        {"label": "home", "value": "Nora.Home@Mail.example"},
        {"label": "work", "value": "nn@partner.example"},
    ]
