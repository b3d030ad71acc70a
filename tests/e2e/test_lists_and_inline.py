"""Lists, in-place edits and Done, as a person uses them: click or Enter opens a value with the
focus in it and its text selected, Enter saves, Esc puts it back, Tab saves and opens the next
value; a saved value flashes. The list filter narrows as you type. Done is only offered where
the user may change the task, and a refusal is said in place, never instead of the page.

Counted as DECISIONS.md says: clicks, Enter, Esc and a Tab that saves are actions; typed
characters are not.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Activity, Contact
from crm.models import User
from deals.models import Deal
from tests.factories import (
    ActivityFactory,
    ContactFactory,
    DealFactory,
    PipelineFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("transactional_db")


def _north():
    north = TeamFactory(name="North")
    ana = UserFactory(username="ana", role=User.Role.REP, team=north)
    ben = UserFactory(username="ben", role=User.Role.REP, team=north)
    maria = UserFactory(username="maria", role=User.Role.MANAGER, team=north)
    north.managers.add(maria)
    return ana, ben, maria


def _assert_all_selected(field) -> None:
    """The field has the focus and its whole text is selected (read, never set), so typing
    replaces it. getSelection() also reads e-mail and number inputs, which have no
    selectionStart."""
    value = field.evaluate("e => e.value")
    assert value and field.evaluate("() => document.getSelection().toString()") == value


def _assert_flashed(value) -> None:
    """The saved value flashes: the class, its animation and its "✓ Saved" note are there."""
    expect(value).to_have_class(re.compile(r"\bsaved\b"))
    assert value.evaluate("e => getComputedStyle(e).animationName") == "inline-saved"
    assert "Saved" in value.evaluate("e => getComputedStyle(e, '::after').content")


def test_a_phone_edited_in_the_contacts_list_leaves_the_table_in_place(page, actions):
    ana, _, _ = _north()
    nora = ContactFactory(first_name="Nora", last_name="Nordwind", phone="0171 5550101", owner=ana)
    ContactFactory(first_name="Lina", last_name="Lindberg", phone="0171 5550202", owner=ana)
    actions.log_in("ana")
    page.goto("/contacts/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    actions.mark_page()
    before = actions.count

    row = rows.filter(has_text="Nora Nordwind")
    actions.click(row.get_by_role("button", name="Edit phone"), "click Nora's phone")
    field = row.locator("form.inline-field.editing input[name=phone]")
    actions.assert_focus(field)
    _assert_all_selected(field)
    actions.type(field, "0171 5550199")  # the old number is selected: typing replaces it
    actions.press(field, "Enter", "press Enter to save")

    value = row.get_by_role("button", name="Edit phone")
    expect(value).to_contain_text("5550199")
    actions.assert_focus(value)
    _assert_flashed(value)
    expect(rows).to_have_count(2)  # the table is still there, both rows
    expect(rows.filter(has_text="Lina Lindberg")).to_contain_text("5550202")
    expect(page.locator("form.filters")).to_be_visible()
    assert actions.count - before == 2  # click, Enter
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    assert "5550199" in Contact.objects.get(pk=nora.pk).phone


def test_tab_saves_a_deals_amount_and_opens_its_close_date_esc_puts_it_back(page, actions):
    ana, _, _ = _north()
    stage = StageFactory(pipeline=PipelineFactory(name="Sales"), name="Qualified", probability=25)
    deal = DealFactory(
        title="Fjord pilot",
        stage=stage,
        owner=ana,
        amount=Decimal("10000"),
        expected_close=date(2030, 1, 15),
    )
    DealFactory(title="Fjord rollout", stage=stage, owner=ana, amount=Decimal("5000"))
    actions.log_in("ana")
    page.goto("/deals/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    actions.mark_page()
    before = actions.count

    row = rows.filter(has_text="Fjord pilot")
    actions.click(row.get_by_role("button", name="Edit amount"), "click the amount")
    amount = row.locator("input[name=amount]")
    actions.assert_focus(amount)
    _assert_all_selected(amount)
    actions.type(amount, "12500")
    actions.press(amount, "Tab", "press Tab to save and go on to the close date")

    close = row.locator("form.inline-field.editing input[name=expected_close]")
    actions.assert_focus(close)  # a date input selects its first part (the month) by itself
    saved = row.get_by_role("button", name="Edit amount")
    expect(saved).to_contain_text("12,500")
    _assert_flashed(saved)
    actions.type(close, "02282031")  # mm/dd/yyyy in the en-US browser
    actions.press(close, "Escape", "press Esc to put the close date back")

    value = row.get_by_role("button", name="Edit expected close date")
    expect(value).to_contain_text("2030")
    actions.assert_focus(value)  # Enter opens it again
    expect(page.locator("form.inline-field.editing")).to_have_count(0)
    expect(rows).to_have_count(2)
    assert actions.count - before == 3  # click, Tab, Esc
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    deal.refresh_from_db()
    assert (deal.amount, deal.expected_close) == (Decimal("12500"), date(2030, 1, 15))


def test_on_a_contact_page_enter_opens_a_value_and_tab_walks_the_fields(page, actions):
    ana, _, _ = _north()
    nora = ContactFactory(
        first_name="Nora",
        last_name="Nordwind",
        email="nora@nordwind.example",
        phone="0171 5550101",
        owner=ana,
    )
    actions.log_in("ana")
    page.goto(nora.get_absolute_url())
    actions.mark_page()
    before = actions.count

    email = page.get_by_role("button", name="Edit e-mail")
    actions.click(email, "click the e-mail")
    field = page.locator("form.inline-field.editing input[name=email]")
    actions.assert_focus(field)
    _assert_all_selected(field)
    actions.type(field, "nora@fjord.example")
    actions.press(field, "Tab", "press Tab to save and go on to the phone")

    phone = page.locator("form.inline-field.editing input[name=phone]")
    actions.assert_focus(phone)
    _assert_all_selected(phone)
    expect(page.get_by_role("button", name="Edit e-mail")).to_have_text("nora@fjord.example")
    actions.type(phone, "0171 5550199")
    actions.press(phone, "Enter", "press Enter to save")

    saved = page.get_by_role("button", name="Edit phone")
    expect(saved).to_contain_text("5550199")
    actions.assert_focus(saved)
    _assert_flashed(saved)
    actions.press(saved, "Enter", "press Enter to open the phone again")
    actions.assert_focus(phone)
    actions.press(phone, "Escape", "press Esc")
    actions.assert_focus(page.get_by_role("button", name="Edit phone"))

    assert actions.count - before == 5
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    nora.refresh_from_db()
    assert nora.email == "nora@fjord.example" and "5550199" in nora.phone


def test_tab_in_a_fix_list_saves_and_moves_to_the_next_gap(page, actions):
    ana, _, _ = _north()
    stage = StageFactory(pipeline=PipelineFactory(name="Sales"), name="Qualified", probability=25)
    first = DealFactory(title="Fjord pilot", stage=stage, owner=ana, expected_close=None)
    second = DealFactory(title="Fjord rollout", stage=stage, owner=ana, expected_close=None)
    actions.log_in("maria")
    page.goto("/reports/forecast/fix/")
    actions.mark_page()
    before = actions.count

    rows = page.locator("table.fix-list tbody tr")
    expect(rows).to_have_count(2)
    one = rows.nth(0).locator("input[name=expected_close]")
    two = rows.nth(1).locator("input[name=expected_close]")
    box = one.bounding_box()
    actions.click(one, "click the first close date", position={"x": 12, "y": box["height"] / 2})
    actions.assert_focus(one)
    actions.type(one, "03312030")
    actions.press(one, "Tab", "press Tab to save and go on")
    actions.assert_focus(two)
    expect(rows.nth(0).locator(".inline-field.saved")).to_contain_text("2030")
    actions.type(two, "04302030")
    actions.press(two, "Enter", "press Enter to save")

    expect(rows.nth(1).locator(".inline-field.saved")).to_contain_text("30 Apr 2030")
    expect(page.locator("#fix-sentence")).to_contain_text("all 2 open deals have what it needs")
    assert actions.count - before == 3
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    closes = set(Deal.objects.filter(pk__in=[first.pk, second.pk]).values_list("expected_close"))
    assert closes == {(date(2030, 3, 31),), (date(2030, 4, 30),)}


def test_the_contacts_list_narrows_as_you_type_in_the_filter(page, actions):
    ana, _, _ = _north()
    ContactFactory(first_name="Nora", last_name="Nordwind", owner=ana)
    ContactFactory(first_name="Lina", last_name="Lindberg", owner=ana)
    ContactFactory(first_name="Lars", last_name="Lindqvist", owner=ana)
    actions.log_in("ana")
    page.goto("/contacts/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    actions.mark_page()
    before = actions.count

    box = page.locator("form.filters input[name=q]")
    actions.click(box, "click the filter")
    with page.expect_response(lambda r: "q=lind" in r.url):
        actions.type(box, "lind")
    expect(rows).to_have_count(2)
    expect(page.locator("#results")).not_to_contain_text("Nordwind")
    with page.expect_response(lambda r: "q=lindq" in r.url):
        actions.type(box, "q")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Lars Lindqvist")
    expect(page).to_have_url(re.compile(r"q=lindq"))
    actions.assert_focus(box)  # typing carries on in the filter
    assert actions.count - before == 1  # no Filter button, no Enter
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()


def _task_of(owner, contact):
    task = ActivityFactory(
        kind="task",
        subject="Send the price list",
        owner=owner,
        occurs_at=timezone.now() + timedelta(days=1),
    )
    task.contacts.add(contact)
    return task


def test_done_is_offered_only_to_whoever_may_change_the_task(page, actions):
    ana, ben, _ = _north()
    nora = ContactFactory(first_name="Nora", last_name="Nordwind", owner=ana)
    task = _task_of(ana, nora)
    actions.log_in("ben")  # same team: sees ana's task, may not change it
    page.goto(nora.get_absolute_url())

    row = page.locator(f"#activity-{task.pk}")
    expect(row).to_contain_text("Send the price list")
    expect(row.get_by_role("button", name="Done")).to_have_count(0)
    actions.assert_no_js_errors()


def test_a_refused_done_is_said_in_place_and_the_page_stays(page, actions):
    ana, ben, _ = _north()
    nora = ContactFactory(first_name="Nora", last_name="Nordwind", owner=ana)
    task = _task_of(ana, nora)
    actions.log_in("ana")
    page.goto(nora.get_absolute_url())
    row = page.locator(f"#activity-{task.pk}")
    done = row.get_by_role("button", name="Done")
    expect(done).to_be_visible()
    actions.mark_page()
    Activity.objects.filter(pk=task.pk).update(owner=ben)  # handed to ben meanwhile

    actions.click(done, "click Done")

    expect(row.get_by_role("alert")).to_contain_text("You may see this but not change it.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nora Nordwind")
    expect(page.locator("#timeline")).to_contain_text("Send the price list")
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    assert not Activity.objects.get(pk=task.pk).done


def test_a_name_in_a_list_opens_the_record_and_sorting_stays_in_place(page, actions):
    """The results swap in place for sorting and paging only: a record's own link is a link
    (before, a boosted click fetched the record's page into the results and showed nothing)."""
    ana, _, _ = _north()
    ContactFactory(first_name="Nora", last_name="Nordwind", owner=ana)
    ContactFactory(first_name="Lina", last_name="Lindberg", owner=ana)
    actions.log_in("ana")
    page.goto("/contacts/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    actions.mark_page()

    actions.click(page.get_by_role("link", name="E-mail"), "sort by e-mail")
    expect(page.locator("#results th[aria-sort]")).to_contain_text("E-mail")
    expect(rows).to_have_count(2)
    actions.assert_not_reloaded()

    actions.click(page.get_by_role("link", name="Nora Nordwind"), "open Nora")
    expect(page.get_by_role("heading", name="Nora Nordwind")).to_be_visible()
    expect(page.locator("#results")).to_have_count(0)
    actions.assert_no_js_errors()
