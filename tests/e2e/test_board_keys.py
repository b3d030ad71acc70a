"""The board by keyboard and at 1280 px: ← / → walk the open stages and save each step, but Won
and Lost only ask (Enter confirms, Esc cancels), so a deal on its way to Lost is never Won; every
column is reachable inside the board's own scroll area; "Mine / team" filters in place.
"""

import re

import pytest
from playwright.sync_api import expect

from crm.models import User
from deals.models import Deal
from tests.factories import DealFactory, PipelineFactory, StageFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")

STAGES = [
    ("Lead", 10, {}),
    ("Qualified", 25, {}),
    ("Proposal", 50, {}),
    ("Negotiation", 75, {}),
    ("Contract sent", 90, {}),
    ("Won", 100, {"is_won": True}),
    ("Lost", 0, {"is_lost": True}),
]


def _board():
    north = TeamFactory(name="North")
    ana = UserFactory(username="ana", first_name="Ana", role=User.Role.REP, team=north)
    ben = UserFactory(username="ben", first_name="Ben", role=User.Role.REP, team=north)
    pipeline = PipelineFactory(name="Sales")
    stages = {
        name: StageFactory(pipeline=pipeline, name=name, order=i, probability=p, **flags)
        for i, (name, p, flags) in enumerate(STAGES)
    }
    return ana, ben, stages


def _focused(page) -> str:
    """What has the keyboard focus: its id, else its class (read, never set)."""
    return page.evaluate("document.activeElement.id || document.activeElement.className")


def _stage_names(deal) -> list[str]:
    return [row.stage.name for row in deal.history.select_related("stage").order_by("history_id")]


def test_a_negotiation_deal_goes_to_lost_by_keyboard_without_ever_being_won(page, actions):
    ana, _ben, stages = _board()
    deal = DealFactory(title="Fjord rollout", stage=stages["Contract sent"], owner=ana)
    actions.log_in("ana")
    page.goto("/deals/board/")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    card = page.locator(f"#deal-{deal.pk}")
    card.focus()  # Tab to the card: moving focus is not counted
    actions.press(card, "ArrowRight", "press → on the card (toward Won: it only asks)")
    prompt = card.locator(".close-prompt")
    expect(prompt).to_contain_text("Mark it Won? Enter confirms, Esc cancels.")
    assert _focused(page) == "close-prompt"
    deal.refresh_from_db()
    assert deal.stage == stages["Contract sent"]  # nothing saved by asking

    actions.press(prompt, "ArrowRight", "press → again (on to Lost)")
    reason = card.get_by_label("Lost reason")
    expect(reason).to_be_focused()
    expect(prompt).to_contain_text("Mark it Lost?")
    actions.type(reason, "Budget frozen")
    actions.press(reason, "Enter", "press Enter to confirm Lost")

    expect(page.locator(f"#column-{stages['Lost'].pk} #deal-{deal.pk}")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Moved “Fjord rollout” to Lost.")
    assert actions.count - before == 3
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    deal.refresh_from_db()
    assert deal.stage == stages["Lost"]
    assert deal.lost_reason == "Budget frozen"
    assert "Won" not in _stage_names(deal)
    assert _stage_names(deal)[-1] == "Lost"


def test_esc_on_the_won_question_keeps_the_deal_open_and_the_card_focused(page, actions):
    ana, _ben, stages = _board()
    deal = DealFactory(title="Fjord pilot", stage=stages["Contract sent"], owner=ana)
    actions.log_in("ana")
    page.goto("/deals/board/")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    card = page.locator(f"#deal-{deal.pk}")
    card.focus()
    actions.press(card, "ArrowRight", "press → (Won asks)")
    prompt = card.locator(".close-prompt")
    expect(prompt).to_be_focused()
    actions.press(prompt, "Escape", "press Esc to cancel")

    expect(prompt).to_have_count(0)
    expect(card).to_be_focused()
    expect(page.locator(f"#column-{stages['Contract sent'].pk} #deal-{deal.pk}")).to_be_visible()
    assert actions.count - before == 2
    actions.assert_not_reloaded()
    deal.refresh_from_db()
    assert deal.stage == stages["Contract sent"]
    assert _stage_names(deal) == ["Contract sent"]


def test_enter_on_the_won_question_marks_the_deal_won(page, actions):
    ana, _ben, stages = _board()
    deal = DealFactory(title="Fjord renewal", stage=stages["Contract sent"], owner=ana)
    actions.log_in("ana")
    page.goto("/deals/board/")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    card = page.locator(f"#deal-{deal.pk}")
    card.focus()
    actions.press(card, "ArrowRight", "press → (Won asks)")
    prompt = card.locator(".close-prompt")
    expect(prompt).to_be_focused()
    actions.press(prompt, "Enter", "press Enter to confirm Won")

    moved = page.locator(f"#column-{stages['Won'].pk} #deal-{deal.pk}")
    expect(moved).to_be_visible()
    expect(moved).to_be_focused()
    assert actions.count - before == 2
    actions.assert_not_reloaded()
    deal.refresh_from_db()
    assert deal.stage == stages["Won"]


def test_the_board_fits_1280_px_and_mine_shows_only_my_deals(page, actions):
    ana, ben, stages = _board()
    for name, _p, _flags in STAGES:
        DealFactory(title=f"Ana {name}", stage=stages[name], owner=ana)
    DealFactory(title="Ben Proposal", stage=stages["Proposal"], owner=ben)
    for n in range(15):  # a long column: it scrolls inside itself, the board stays on screen
        DealFactory(
            title=f"Ana lead {n} Nordwind Logistik Rahmenvertrag", stage=stages["Lead"], owner=ana
        )
    page.set_viewport_size({"width": 1280, "height": 800})
    actions.log_in("ana")
    page.goto("/deals/board/")
    page.wait_for_load_state()
    actions.mark_page()
    before = actions.count

    board = page.locator("#board")
    sizes = board.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert sizes[0] > sizes[1], "seven columns need the board's own scroll area at 1280 px"
    box = board.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    # Its scroll bar is on screen, not below fifteen cards.
    assert box["y"] + box["height"] <= 800, box
    for name, _p, _flags in STAGES:
        column = page.locator(f"#column-{stages[name].pk}")
        column.scroll_into_view_if_needed()  # as a person scrolls the board sideways
        shown, frame = column.bounding_box(), board.bounding_box()
        assert (
            frame["x"] - 1 <= shown["x"]
            and shown["x"] + shown["width"] <= frame["x"] + frame["width"] + 1
        ), name
        assert page.evaluate("window.scrollX") == 0, f"the page scrolled sideways for {name}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    expect(board).to_contain_text("Ben Proposal")
    actions.click(page.locator("#scope-switch").get_by_role("link", name="Mine"), "click Mine")
    expect(board).not_to_contain_text("Ben Proposal")
    expect(board).to_contain_text("Ana Proposal")
    expect(page).to_have_url(re.compile(r"scope=mine"))
    expect(page.locator("#scope-switch a[aria-current]")).to_have_text("Mine")
    expect(page.locator(f"#column-head-{stages['Proposal'].pk}")).to_contain_text("1 ·")

    # The board swapped in still moves by keyboard, and its heads count only my deals.
    card = page.locator(f"#deal-{Deal.objects.get(title='Ana Lead').pk}")
    card.focus()
    actions.press(card, "ArrowRight", "press → on Ana Lead")
    expect(page.locator(f"#column-{stages['Qualified'].pk}")).to_contain_text("Ana Lead")
    expect(page.locator(f"#column-head-{stages['Qualified'].pk}")).to_contain_text("2 ·")
    expect(page.locator(f"#column-head-{stages['Proposal'].pk}")).to_contain_text("1 ·")

    actions.click(page.locator("#scope-switch").get_by_role("link", name="Team"), "click Team")
    expect(board).to_contain_text("Ben Proposal")
    expect(page.locator(f"#column-head-{stages['Proposal'].pk}")).to_contain_text("2 ·")
    assert actions.count - before == 3
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
