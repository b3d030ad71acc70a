"""Users and teams in the browser (issue 14): the admin adds a rep and hands over the set-password
link, the newcomer chooses a password by typing and lands on My day; the admin deactivates ben,
giving his records to ana, and ben's open session in another browser ends at once."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from crm.models import User
from tests.e2e.conftest import UserActions
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def people():
    north = TeamFactory(name="North")
    admin = UserFactory(username="admin", role=User.Role.ADMIN, is_staff=True)
    ana = UserFactory(username="ana", team=north)
    ben = UserFactory(username="ben", team=north)
    ContactFactory(first_name="Bert", last_name="Bensclient", owner=ben)
    return {"admin": admin, "ana": ana, "ben": ben, "north": north}


def open_users(page, actions):
    actions.click(page.get_by_role("link", name="Settings"), "open Settings")
    actions.click(page.get_by_role("link", name="Users and teams"), "open Users and teams")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users and teams")


def test_an_admin_adds_a_rep_who_sets_a_password_with_the_link(page, actions, people):
    actions.log_in("admin")
    open_users(page, actions)
    actions.click(page.get_by_role("link", name="New user"), "click New user")
    username = page.get_by_label("Username")
    actions.click(username, "click Username")
    actions.assert_focus(username)
    actions.type(username, "dora")
    actions.tab_to(page.get_by_label("First name"))
    actions.type(page.get_by_label("First name"), "Dora")
    team = page.get_by_label("Team")
    actions.tab_to(team)
    actions.type(team, "North")
    expect(team).to_have_value(str(people["north"].pk))
    actions.click(page.get_by_role("button", name="Add user"), "click Add user")

    link_field = page.get_by_label("Set-password link")
    expect(link_field).to_be_visible()
    link = link_field.input_value()  # read, as the admin copies it to pass on
    assert re.search(r"/set-password/[^/]+/[^/]+/$", link)
    dora = User.objects.get(username="dora")
    assert (dora.first_name, dora.team, dora.role) == ("Dora", people["north"], "rep")
    actions.click(page.get_by_role("button", name="Log out"), "log out")

    page.goto(link)  # Dora opens the link she was given
    expect(page.get_by_text("Choose your password, Dora")).to_be_visible()
    first = page.get_by_label("New password:")
    actions.click(first, "click New password")
    actions.type(first, "a long pass phrase 7")
    actions.tab_to(page.get_by_label("New password confirmation"))
    actions.type(page.get_by_label("New password confirmation"), "a long pass phrase 7")
    actions.click(page.get_by_role("button", name="Set password and log in"), "set password")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My day")
    expect(page.get_by_text("Dora", exact=True)).to_be_visible()

    page.goto(link)  # used once: it does not work again
    expect(page.get_by_role("alert")).to_contain_text("used already or has expired")
    actions.assert_no_js_errors()


def test_deactivating_ben_gives_ana_his_records_and_ends_his_open_session(
    page, actions, people, browser, live_server, viewport
):
    bens = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-US")
    ben_page = bens.new_page()
    UserActions(ben_page).log_in("ben")

    actions.log_in("admin")
    open_users(page, actions)
    row = page.get_by_role("row", name=re.compile("^Ben"))
    actions.click(row.get_by_role("link", name="Deactivate"), "click Deactivate on Ben")
    expect(page.get_by_text("They own 1 contact")).to_be_visible()
    to = page.get_by_label("Give their records to")
    actions.click(to, "click Give their records to")
    actions.press(to, "Escape", "close the list")
    actions.type(to, "Ana")
    expect(to).to_have_value(str(people["ana"].pk))
    actions.click(page.get_by_role("button", name="Deactivate Ben"), "click Deactivate Ben")
    expect(page.locator(".message")).to_contain_text(
        "Deactivated Ben. Ana now owns their records (1 contact)."
    )
    expect(page.get_by_role("row", name=re.compile("^Ben"))).to_contain_text("(deactivated)")
    assert Contact.objects.get(last_name="Bensclient").owner == people["ana"]

    ben_page.reload()
    expect(ben_page).to_have_url(re.compile(r"/login/"))
    actions.assert_no_js_errors()
    bens.close()
