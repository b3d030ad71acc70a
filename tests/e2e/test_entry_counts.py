"""Entry in seconds, counted: logging a call, finishing a task with its next step, moving a
deal on the board, and two people editing one deal without losing either's work.

Counted as DECISIONS.md says (clicks, drags, shortcuts, Enter, Esc); typing and Tab are not.
Each journey ends with the change on screen and the page never reloaded.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Activity
from crm.models import User
from tests.e2e.conftest import UserActions
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


def _org():
    north = TeamFactory(name="North")
    ana = UserFactory(username="ana", role=User.Role.REP, team=north)
    maria = UserFactory(username="maria", role=User.Role.MANAGER, team=north)
    north.managers.add(maria)
    return ana, maria


def _stages():
    pipeline = PipelineFactory(name="Sales")
    return [
        StageFactory(pipeline=pipeline, name=name, order=i, probability=p)
        for i, (name, p) in enumerate([("Lead", 10), ("Qualified", 25), ("Proposal", 50)])
    ]


def test_logging_a_call_on_a_contact_takes_two_actions(page, actions):
    ana, _ = _org()
    contact = ContactFactory(first_name="Nora", last_name="Nordlicht", owner=ana)
    actions.log_in("ana")
    page.goto(contact.get_absolute_url())
    actions.mark_page()
    before = actions.count

    actions.click(page.locator(".log-kind label", has_text="Call"), "pick Call")
    actions.tab_to(page.get_by_label("Subject"))  # Tab within the form: not counted
    actions.type(page.get_by_label("Subject"), "Asked for the price list")
    actions.press(page.get_by_label("Subject"), "Enter", "press Enter to log")

    expect(page.locator("#timeline .activity", has_text="Asked for the price list")).to_be_visible()
    assert actions.count - before == 2
    actions.assert_not_reloaded()
    assert Activity.objects.filter(
        kind="call", subject="Asked for the price list", contacts=contact
    ).exists()


def test_finishing_a_task_and_setting_the_next_step_takes_two_actions(page, actions):
    ana, _ = _org()
    task = ActivityFactory(
        kind="task",
        subject="Send the proposal",
        owner=ana,
        occurs_at=timezone.now() - timedelta(hours=2),
    )
    actions.log_in("ana")  # lands on My day, where the task is due
    actions.mark_page()
    before = actions.count

    row = page.locator(f"#activity-{task.pk}")
    actions.click(row.get_by_role("button", name="Done"), "click Done")
    next_step = page.get_by_label("Next step")
    expect(next_step).to_be_focused()
    actions.type(next_step, "Call about the proposal")
    actions.press(next_step, "Enter", "press Enter to add the next step")

    expect(page.locator(".activity", has_text="Call about the proposal")).to_be_visible()
    assert actions.count - before == 2  # the budget is three
    actions.assert_not_reloaded()
    task.refresh_from_db()
    assert task.done
    assert Activity.objects.filter(
        kind="task", subject="Call about the proposal", done=False
    ).exists()


def test_a_deal_moves_to_the_next_stage_with_one_key_on_the_board(page, actions):
    ana, _ = _org()
    lead, qualified, _proposal = _stages()
    deal = DealFactory(title="Fjord pilot", stage=lead, owner=ana)
    actions.log_in("ana")
    page.goto("/deals/board/")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    card = page.locator(f"#deal-{deal.pk}")
    card.focus()  # Tab to the card: moving focus is not counted
    actions.press(card, "ArrowRight", "press → on the card")

    expect(page.locator(f"#column-{qualified.pk} #deal-{deal.pk}")).to_be_visible()
    expect(page.locator(f"#column-head-{qualified.pk}")).to_contain_text("1 ·")
    assert actions.count - before == 1
    actions.assert_not_reloaded()
    expect(page.locator("#messages")).to_contain_text("Moved “Fjord pilot” to Qualified.")
    deal.refresh_from_db()
    assert deal.stage == qualified


def test_a_deal_moves_with_one_drag_and_the_move_can_be_undone(page, actions):
    ana, _ = _org()
    lead, _qualified, proposal = _stages()
    deal = DealFactory(title="Fjord rollout", stage=lead, owner=ana)
    actions.log_in("ana")
    page.goto("/deals/board/")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    card = page.locator(f"#deal-{deal.pk}")
    target = page.locator(f"#cards-{proposal.pk}")

    def drag():
        start, end = card.bounding_box(), target.bounding_box()
        page.mouse.move(start["x"] + 20, start["y"] + 10)
        page.mouse.down()
        for step in range(1, 11):  # a person's drag passes over the columns in between
            page.mouse.move(
                start["x"] + 20 + (end["x"] + 30 - start["x"] - 20) * step / 10,
                start["y"] + 10 + (end["y"] + 20 - start["y"] - 10) * step / 10,
            )
        page.mouse.up()

    actions.act("drag the card to Proposal", drag)

    expect(page.locator(f"#column-{proposal.pk} #deal-{deal.pk}")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Moved “Fjord rollout” to Proposal.")
    assert actions.count - before == 1
    deal.refresh_from_db()
    assert deal.stage == proposal

    actions.click(page.locator("#messages").get_by_role("button", name="Undo"), "click Undo")
    expect(page.locator("#messages")).to_contain_text("Moved “Fjord rollout” to Lead.")
    actions.assert_not_reloaded()
    deal.refresh_from_db()
    assert deal.stage == lead


def test_two_people_editing_one_deal_lose_nothing(browser, live_server, page, actions):
    ana, maria = _org()
    (stage, *_rest) = _stages()
    deal = DealFactory(title="Fjord expansion", stage=stage, owner=ana, amount=Decimal("10000"))
    other = browser.new_context(base_url=live_server.url)
    try:
        marias_page = other.new_page()
        marias_hands = UserActions(marias_page)
        marias_hands.log_in("maria")
        marias_page.goto(f"/deals/{deal.pk}/edit/")  # Maria opens the form first…
        actions.log_in("ana")
        page.goto(f"/deals/{deal.pk}/edit/")  # …then Ana, on the same version

        amount = page.get_by_label("Amount")
        actions.click(amount, "Ana clicks Amount")
        actions.press(amount, "Control+a", "Ana selects the amount")
        actions.type(amount, "12000")
        actions.click(page.get_by_role("button", name="Save"), "Ana saves")
        expect(page.get_by_role("heading", name="Fjord expansion", exact=True)).to_be_visible()

        amount = marias_page.get_by_label("Amount")
        marias_hands.click(amount, "Maria clicks Amount")
        marias_hands.press(amount, "Control+a", "Maria selects the amount")
        marias_hands.type(amount, "15000")
        marias_hands.click(marias_page.get_by_role("button", name="Save"), "Maria saves")
        expect(marias_page.locator(".field-errors")).to_contain_text(
            "changed this to “€12,000” while you were editing. Save again to keep yours."
        )
        deal.refresh_from_db()
        assert deal.amount == Decimal("12000.00")  # Ana's save stands

        marias_hands.click(  # Maria chooses hers
            marias_page.get_by_role("button", name="Save"), "Maria saves again"
        )
        expect(
            marias_page.get_by_role("heading", name="Fjord expansion", exact=True)
        ).to_be_visible()
        deal.refresh_from_db()
        assert (deal.amount, deal.updated_by) == (Decimal("15000.00"), maria)
    finally:
        other.close()


def test_logging_a_call_from_my_day_takes_two_actions(page, actions):
    ana, _ = _org()
    actions.log_in("ana")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    actions.click(page.get_by_role("link", name="Log a call"), "click Log a call")
    dialog = page.locator("#quick-add-dialog")
    subject = dialog.get_by_label("Subject")
    expect(dialog.get_by_role("combobox", name="With whom")).to_be_focused()
    actions.tab_to(subject)  # no one in particular: Tab past "With whom", not counted
    actions.type(subject, "Rang the Fjord office")
    actions.press(subject, "Enter", "press Enter to log")

    expect(dialog).to_contain_text("Rang the Fjord office")
    assert actions.count - before == 2
    actions.assert_not_reloaded()
    call = Activity.objects.get(subject="Rang the Fjord office")
    assert (call.kind, call.owner, call.done) == ("call", ana, True)
