"""Quick add from anywhere and the command palette, from the keyboard.

Counted as DECISIONS.md says: "n", Ctrl+K, a click on a tab, Enter and Esc are actions; the
typed names and Tab between the fields of one form are not.
"""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Activity, Contact
from crm.models import User
from tests.factories import ContactFactory, DealFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


def _ana():
    return UserFactory(username="ana", role=User.Role.REP, team=TeamFactory(name="North"))


def test_a_rep_adds_a_contact_in_two_keystrokes_and_the_list_behind_shows_it(
    page, actions, tmp_path
):
    ana = _ana()
    ContactFactory(first_name="Lina", last_name="Lindberg", owner=ana)
    actions.log_in("ana")
    actions.click(page.get_by_role("link", name="Contacts", exact=True), "click Contacts")
    results = page.locator("#results")
    expect(results).to_contain_text("Lindberg")
    page.wait_for_load_state()  # the shortcuts listen once the page's scripts have run
    actions.mark_page()
    before = actions.count

    actions.press(page.locator("body"), "n", "press n (quick add)")
    dialog = page.get_by_role("dialog", name="Add")
    expect(dialog).to_be_visible()
    first = dialog.get_by_label("First name")
    expect(first).to_be_focused()
    actions.type(first, "Nova")
    actions.tab_to(dialog.get_by_label("Last name"))  # Tab: not counted
    actions.type(dialog.get_by_label("Last name"), "Lindqvist")
    with page.expect_response(re.compile(r"/contacts/")):  # the list behind refreshes itself
        actions.press(dialog.get_by_label("Last name"), "Enter", "press Enter to add")

    expect(dialog.get_by_role("status")).to_contain_text("Added contact Nova Lindqvist — open it")
    expect(results).to_contain_text("Lindqvist")
    assert actions.count - before == 2
    contact = Contact.objects.get(last_name="Lindqvist")
    assert (contact.first_name, contact.owner) == ("Nova", ana)
    expect(dialog.get_by_role("link", name="open it")).to_have_attribute(
        "href", contact.get_absolute_url()
    )
    expect(dialog.get_by_role("link", name="Add another contact")).to_be_focused()
    page.screenshot(path=tmp_path / "quick_add_added.png")
    actions.press(page.locator("body"), "Escape", "press Esc to close")
    expect(dialog).to_be_hidden()
    expect(results.get_by_role("link", name="Nova Lindqvist")).to_be_visible()
    actions.assert_not_reloaded()

    actions.assert_count(5)  # log in, Contacts, then n and Enter to add, Esc to close
    actions.assert_no_js_errors()


def test_a_task_added_from_my_day_appears_among_the_tasks_due(page, actions, tmp_path):
    _ana()
    actions.log_in("ana")
    page.wait_for_load_state()
    tasks = page.locator("section", has=page.get_by_role("heading", name="Tasks due"))
    expect(tasks).to_contain_text("No tasks due.")
    actions.mark_page()
    before = actions.count

    actions.click(page.get_by_role("link", name="+ Add"), "click + Add")
    dialog = page.get_by_role("dialog", name="Add")
    actions.click(dialog.get_by_role("link", name="Task", exact=True), "pick Task")
    subject = dialog.get_by_label("Subject")
    expect(dialog.get_by_role("combobox", name="With whom")).to_be_focused()
    actions.tab_to(subject)  # no one in particular: Tab past "With whom", not counted
    actions.type(subject, "Send Nova the offer")
    due = dialog.get_by_label("Due")
    actions.tab_to(due)
    # Due today at 00:05, so My day lists it: the en-US input reads mm/dd/yyyy, then the time.
    actions.type(due, timezone.localtime().strftime("%m%d%Y"))
    actions.tab()  # from the date to the time, within the field
    actions.type(due, "1205A")
    page.screenshot(path=tmp_path / "quick_add_task.png")
    actions.press(dialog.get_by_label("Due"), "Enter", "press Enter to add")

    expect(dialog.get_by_role("status")).to_contain_text("Added task Send Nova the offer")
    expect(tasks).to_contain_text("Send Nova the offer")
    assert actions.count - before == 3
    assert Activity.objects.get(subject="Send Nova the offer").kind == "task"
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()


def test_ctrl_k_finds_a_deal_by_part_of_its_title_and_enter_opens_it(page, actions, tmp_path):
    ana = _ana()
    deal = DealFactory(title="Nordwind rollout", owner=ana)
    DealFactory(title="Southwind pilot", owner=ana)
    actions.log_in("ana")
    page.wait_for_load_state()
    before = actions.count

    actions.press(page.locator("body"), "Control+k", "press Ctrl+K (palette)")
    palette = page.get_by_role("dialog", name="Go to a record or action")
    box = palette.get_by_role("combobox")
    expect(box).to_be_focused()
    with page.expect_response(
        lambda r: (
            urlparse(r.url).path == "/palette/"
            and parse_qs(urlparse(r.url).query).get("q") == ["rollo"]
        )
    ):
        actions.type(box, "rollo")
    options = palette.get_by_role("option")
    expect(options.first).to_contain_text("Nordwind rollout")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(palette).not_to_contain_text("Southwind")
    page.screenshot(path=tmp_path / "palette.png")
    actions.press(box, "Enter", "press Enter to open")

    expect(page).to_have_url(re.compile(rf"/deals/{deal.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nordwind rollout")
    assert actions.count - before == 2
    actions.assert_count(3)  # log in, then Ctrl+K and Enter
    actions.assert_no_js_errors()


def test_the_palette_moves_with_the_arrows_and_opens_quick_add(page, actions):
    _ana()
    actions.log_in("ana")
    page.wait_for_load_state()

    actions.press(page.locator("body"), "Control+k", "press Ctrl+K (palette)")
    palette = page.get_by_role("dialog", name="Go to a record or action")
    box = palette.get_by_role("combobox")
    with page.expect_response(re.compile(r"/palette/\?q=new$")):
        actions.type(box, "new")
    options = palette.get_by_role("option")
    expect(options.first).to_have_text("New contact")
    actions.press(box, "ArrowDown", "press Down")
    selected = palette.locator("[role=option][aria-selected=true]")
    expect(selected).to_have_count(1)
    label = selected.inner_text()
    assert label.startswith("New ") and label != "New contact"
    actions.press(box, "ArrowUp", "press Up")
    expect(selected).to_have_text("New contact")
    actions.press(box, "Enter", "press Enter")

    expect(palette).to_be_hidden()
    dialog = page.get_by_role("dialog", name="Add")
    expect(dialog.get_by_label("First name")).to_be_focused()
    actions.press(dialog.get_by_label("First name"), "Escape", "press Esc")
    expect(dialog).to_be_hidden()
    actions.assert_count(6)
    actions.assert_no_js_errors()
