"""Log from anywhere, linked (issue 13): quick add of a call asks "with whom" through a
type-ahead (crm/pickers.py, static/js/pickers.js) and links the activity as the contact's own
page would; quick add of a contact warns of a duplicate as it is typed.

Counted as DECISIONS.md says: "n", a click on a tab or an option, Enter and Esc are actions;
typed text and Tab between the fields of one form are not. Tab on a match accepts it and moves
on, as in any combobox.
"""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Activity, Contact
from crm.models import User
from tests.factories import CompanyFactory, ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def ana():
    return UserFactory(username="ana", role=User.Role.REP, team=TeamFactory(name="North"))


@pytest.fixture
def nora(ana):
    company = CompanyFactory(name="Nordwind GmbH", owner=ana)
    ContactFactory(first_name="Norbert", last_name="Other", owner=ana)  # also matches "nor"
    return ContactFactory(
        first_name="Nora", last_name="Lindqvist", company=company, owner=ana, email="nora@n.example"
    )


def open_call_form(page, actions):
    actions.press(page.locator("body"), "n", "press n (quick add)")
    dialog = page.get_by_role("dialog", name="Add")
    expect(dialog).to_be_visible()
    actions.click(dialog.get_by_role("link", name="Call", exact=True), "pick Call")
    expect(dialog.get_by_role("button", name="Add call")).to_be_visible()
    return dialog


def test_a_rep_logs_a_call_with_a_contact_from_my_day_in_three_actions(
    page, actions, nora, tmp_path
):
    actions.log_in("ana")
    page.wait_for_load_state()  # the shortcuts listen once the page's scripts have run
    actions.mark_page()
    before = actions.count

    dialog = open_call_form(page, actions)
    whom = dialog.get_by_role("combobox", name="With whom")
    expect(whom).to_be_focused()  # the dialog opens where the typing starts
    actions.type(whom, "lindq")
    option = dialog.get_by_role("option", name=re.compile("Nora Lindqvist"))
    expect(option).to_be_visible()
    expect(option).to_contain_text("Nordwind GmbH")  # who they are: their company…
    expect(option).to_contain_text("Ana")  # …and whose
    expect(option).to_have_attribute("aria-selected", "true")
    page.screenshot(path=tmp_path / "log_call_with_whom.png")
    actions.tab()  # accepts the match and moves on: not counted
    subject = dialog.get_by_label("Subject")
    expect(subject).to_be_focused()
    expect(whom).to_have_value("Nora Lindqvist")
    actions.type(subject, "Asked about the rollout")
    actions.press(subject, "Enter", "press Enter to add")

    expect(dialog.get_by_role("status")).to_contain_text("Added call Asked about the rollout")
    assert actions.count - before == 3
    actions.assert_not_reloaded()
    call = Activity.objects.get(subject="Asked about the rollout")
    assert call.kind == "call" and call.done
    assert list(call.contacts.all()) == [nora]
    assert call.company == nora.company
    actions.assert_no_js_errors()


def test_enter_picks_the_highlighted_match_and_arrows_choose_another(page, actions, nora):
    actions.log_in("ana")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    dialog = open_call_form(page, actions)
    whom = dialog.get_by_role("combobox", name="With whom")
    actions.type(whom, "nor")
    expect(dialog.get_by_role("option")).to_have_count(3)  # Nora, Norbert, Nordwind GmbH
    first = dialog.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    actions.press(whom, "ArrowDown", "press ↓")
    second = dialog.get_by_role("option").nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    label = second.get_attribute("data-label")
    actions.press(whom, "Enter", "press Enter to pick")
    subject = dialog.get_by_label("Subject")
    expect(subject).to_be_focused()
    expect(whom).to_have_value(label)
    actions.type(subject, "Picked with the arrows")
    actions.press(subject, "Enter", "press Enter to add")

    expect(dialog.get_by_role("status")).to_contain_text("Added call")
    assert actions.count - before == 5
    actions.assert_not_reloaded()
    call = Activity.objects.get(subject="Picked with the arrows")
    assert label in {str(c) for c in call.contacts.all()} | {str(call.company)}
    actions.assert_no_js_errors()


def test_on_a_contacts_page_the_call_is_already_with_them(page, actions, nora):
    actions.log_in("ana")
    page.goto(nora.get_absolute_url())
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    dialog = open_call_form(page, actions)
    whom = dialog.get_by_role("combobox", name="With whom")
    expect(whom).to_have_value(re.compile("Nora Lindqvist"))
    subject = dialog.get_by_label("Subject")
    expect(subject).to_be_focused()  # who is known: the typing starts at the subject
    actions.type(subject, "Called from her page")
    actions.press(subject, "Enter", "press Enter to add")

    expect(dialog.get_by_role("status")).to_contain_text("Added call")
    assert actions.count - before == 3
    actions.assert_not_reloaded()
    call = Activity.objects.get(subject="Called from her page")
    assert list(call.contacts.all()) == [nora] and call.company == nora.company


def test_quick_add_of_a_contact_warns_of_a_duplicate_e_mail_before_enter(page, actions, nora):
    actions.log_in("ana")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    actions.press(page.locator("body"), "n", "press n (quick add)")
    dialog = page.get_by_role("dialog", name="Add")
    first = dialog.get_by_label("First name")
    expect(first).to_be_focused()
    actions.type(first, "Nora")
    actions.tab_to(dialog.get_by_label("Last name"))
    actions.type(dialog.get_by_label("Last name"), "Lindqvist-Berg")
    actions.tab_to(dialog.get_by_label("E-mail"))
    actions.type(dialog.get_by_label("E-mail"), "NORA@N.Example")  # another case

    hint = dialog.locator(".duplicate-warning")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Possible duplicate")
    expect(hint.get_by_role("link", name="Nora Lindqvist")).to_have_attribute(
        "href", nora.get_absolute_url()
    )
    expect(hint).to_contain_text("same e-mail")
    assert actions.count - before == 1  # only "n": the hint came while typing
    assert Contact.objects.filter(last_name="Lindqvist-Berg").count() == 0
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
