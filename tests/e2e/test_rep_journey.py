"""A rep's first minutes: log in, add a contact, log a call, find the contact again.

And the other side of it: a rep of another team neither finds that contact nor opens it.
"""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from crm.models import User
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")

FIRST, LAST = "Nova", "Lindqvist"
EMAIL = "nova.lindqvist@fjord.example"
PHONE = "+46 8 555 0101"


def _north_rep():
    return UserFactory(username="ana", role=User.Role.REP, team=TeamFactory(name="North"))


def _search(page, actions, text):
    """Type into the top bar's search box and wait for the as-you-type answer to that text."""
    box = page.get_by_role("search").get_by_role("searchbox", name="Search")
    with page.expect_response(
        lambda r: (
            urlparse(r.url).path == "/search/"
            and parse_qs(urlparse(r.url).query).get("q") == [text]
        )
    ):
        actions.type(box, text)
    return page.locator("#search-dropdown")


def test_a_rep_adds_a_contact_logs_a_call_and_finds_it_again(page, actions, tmp_path):
    ana = _north_rep()
    # Already in ana's book: also matches "lind", so the e-mail search must narrow it down.
    ContactFactory(
        first_name="Lina", last_name="Lindberg", email="lina@lindberg.example", owner=ana
    )

    actions.log_in("ana")

    # The full form, from the contacts list (My day's "New contact" opens quick add instead).
    actions.click(page.get_by_role("link", name="Contacts", exact=True), "click Contacts")
    actions.click(page.get_by_role("link", name="New contact"), "click New contact")
    expect(page.get_by_role("heading", level=1)).to_have_text("New contact")
    actions.click(page.get_by_label("First name"), "click First name")
    # The primary e-mail and phone by their exact names: the form also offers further ones
    # ("2nd e-mail") and a label for each.
    fields = (
        (page.get_by_label("First name"), FIRST),
        (page.get_by_label("Last name"), LAST),
        (page.get_by_role("textbox", name="E-mail:", exact=True), EMAIL),
        (page.get_by_role("textbox", name="Phone:", exact=True), PHONE),
    )
    for field, text in fields:
        actions.tab_to(field)  # Tab between fields: not counted
        actions.type(field, text)
    actions.click(page.get_by_role("button", name="Save"), "click Save")

    expect(page).to_have_url(re.compile(r"/contacts/\d+/$"))
    contact_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FIRST} {LAST}")
    expect(page.locator("#messages")).to_contain_text(f"Added {FIRST} {LAST}.")
    expect(page.get_by_role("button", name="Edit e-mail")).to_have_text(EMAIL)  # editable in place
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Nothing logged yet.")

    actions.mark_page()
    kinds = timeline.get_by_role("radiogroup", name="Kind")
    actions.click(kinds.get_by_text("Call", exact=True), "pick Call")
    expect(timeline.locator("input[type=radio][name=kind][value=call]")).to_be_checked()
    subject = timeline.get_by_role("textbox", name="Subject")
    actions.tab_to(subject)
    actions.type(subject, "Intro call, wants a demo")
    actions.press(subject, "Enter", "press Enter to log")

    logged = timeline.locator("li.activity")
    expect(logged).to_have_count(1)
    expect(logged).to_contain_text("Call")
    expect(logged).to_contain_text("Intro call, wants a demo")
    expect(timeline).not_to_contain_text("Nothing logged yet.")
    expect(timeline.get_by_role("textbox", name="Subject")).to_have_value("")
    actions.assert_not_reloaded()

    actions.click(page.get_by_role("link", name="Huddle", exact=True), "click Huddle (My day)")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My day")
    # The call was confirmed where it was logged; its flash must not turn up on the next page.
    expect(page.locator("#messages")).not_to_contain_text("Logged call")
    actions.mark_page()

    search_box = page.get_by_role("search").get_by_role("searchbox", name="Search")
    actions.click(search_box, "click the search box")
    dropdown = _search(page, actions, "lindq")
    expect(dropdown.get_by_role("link")).to_have_count(1)
    expect(dropdown.get_by_role("link")).to_contain_text(f"{FIRST} {LAST}")

    actions.press(search_box, "Control+a", "select the search text")
    dropdown = _search(page, actions, "lind")
    expect(dropdown.get_by_role("link")).to_have_count(2)

    actions.press(search_box, "Control+a", "select the search text")
    dropdown = _search(page, actions, EMAIL.upper())
    hits = dropdown.get_by_role("link")
    expect(hits).to_have_count(1)
    expect(hits).to_contain_text(f"{FIRST} {LAST}")
    expect(hits).to_contain_text(EMAIL)
    actions.assert_not_reloaded()

    actions.click(hits, "click the contact in the dropdown")
    expect(page).to_have_url(contact_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FIRST} {LAST}")
    expect(page.locator("#timeline li.activity")).to_contain_text("Intro call, wants a demo")

    actions.assert_count(12)
    actions.assert_no_js_errors()
    page.screenshot(path=tmp_path / "rep_journey.png", full_page=True)


def test_a_rep_of_another_team_neither_finds_nor_opens_the_contact(page, actions, tmp_path):
    contact = ContactFactory(
        first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE, owner=_north_rep()
    )
    carla = UserFactory(username="carla", role=User.Role.REP, team=TeamFactory(name="South"))
    # Carla's own Nova proves that search works for her: only the other team's Nova is hidden.
    ContactFactory(first_name="Nova", last_name="Berg", email="nova@berg.example", owner=carla)

    actions.log_in("carla")
    actions.mark_page()

    search_box = page.get_by_role("search").get_by_role("searchbox", name="Search")
    actions.click(search_box, "click the search box")
    dropdown = _search(page, actions, "nova")
    expect(dropdown.get_by_role("link")).to_have_count(1)
    expect(dropdown).to_contain_text("Nova Berg")

    for text in (f"{FIRST} {LAST}", "lindq", EMAIL, EMAIL.upper()):
        actions.press(search_box, "Control+a", "select the search text")
        dropdown = _search(page, actions, text)
        expect(dropdown).to_contain_text(f"Nothing found for “{text}”")
        expect(dropdown.get_by_role("link")).to_have_count(0)
    actions.assert_not_reloaded()

    response = page.goto(contact.get_absolute_url())
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("not yours to see")
    expect(page.locator("main")).not_to_contain_text(LAST)

    actions.assert_count(6)
    actions.assert_no_js_errors()
    page.screenshot(path=tmp_path / "outsider_404.png", full_page=True)


def test_a_keyboard_user_picks_the_kind_and_logs_with_enter(page, actions, tmp_path):
    contact = ContactFactory(first_name=FIRST, last_name=LAST, owner=_north_rep())

    actions.log_in("ana")
    page.goto(contact.get_absolute_url())
    actions.mark_page()

    kinds = page.get_by_role("radiogroup", name="Kind")
    expect(kinds.get_by_role("radio")).to_have_count(5)
    subject = page.get_by_role("textbox", name="Subject")
    actions.click(subject, "click Subject")
    page.keyboard.press("Shift+Tab")  # back to the kind radios: Tab within a form is not counted
    expect(kinds.get_by_role("radio", name="Call")).to_be_focused()
    actions.act("press ArrowRight (Meeting)", lambda: page.keyboard.press("ArrowRight"))
    expect(kinds.get_by_role("radio", name="Meeting")).to_be_checked()
    page.keyboard.press("Tab")
    expect(subject).to_be_focused()
    actions.type(subject, "Demo booked")
    actions.press(subject, "Enter", "press Enter to log")

    logged = page.locator("#timeline li.activity")
    expect(logged).to_have_count(1)
    expect(logged).to_contain_text("Meeting")
    expect(logged).to_contain_text("Demo booked")
    actions.assert_not_reloaded()
    actions.assert_count(4)
    actions.assert_no_js_errors()
    page.screenshot(path=tmp_path / "keyboard_log.png", full_page=True)
