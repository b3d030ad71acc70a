"""Settings → Pipelines in the browser (issue 14): the admin adds a stage, puts it in place with
its ↑ button (a click, then Enter on the button that keeps the focus) and by dragging a stage
by its handle, all without a page reload; then removes a stage that holds deals, saying where
they go. The deals are in the stage chosen, each with a history row of the move."""

import re

import pytest
from playwright.sync_api import expect

from crm.models import SettingChange, User
from deals.models import Deal, Stage
from tests.factories import DealFactory, PipelineFactory, StageFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def sales():
    north = TeamFactory(name="North")
    UserFactory(username="admin", role=User.Role.ADMIN, is_staff=True)
    ana = UserFactory(username="ana", team=north)
    pipeline = PipelineFactory(name="Sales", order=0)
    stages = {
        name: StageFactory(
            pipeline=pipeline,
            name=name,
            order=order,
            probability=probability,
            is_won=name == "Won",
            is_lost=name == "Lost",
        )
        for order, (name, probability) in enumerate(
            [("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Won", 100), ("Lost", 0)], 1
        )
    }
    deals = [
        DealFactory(title="Fjord rollout", stage=stages["Qualified"], owner=ana),
        DealFactory(title="Fjord pilot", stage=stages["Qualified"], owner=ana),
    ]
    return {"pipeline": pipeline, "stages": stages, "deals": deals}


@pytest.fixture
def refused(page):
    """What the browser refused under the Content-Security-Policy (see tests/e2e/test_csp.py)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: (
            seen.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    return seen


def order_on_page(page, pipeline) -> list[str]:
    return page.locator(f"#pipeline-{pipeline.pk} tr.stage-row td.stage-name").all_inner_texts()


def order_saved(pipeline) -> list[str]:
    return list(pipeline.stages.order_by("order").values_list("name", flat=True))


def test_an_admin_adds_a_stage_reorders_it_by_keyboard_and_drag_and_merges_a_stage_with_deals(
    page, actions, sales, tmp_path, refused
):
    pipeline = sales["pipeline"]
    actions.log_in("admin")
    actions.click(page.get_by_role("link", name="Settings"), "open Settings")
    actions.click(page.get_by_role("link", name="Pipelines"), "open Pipelines")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipelines")
    page.wait_for_load_state()
    actions.mark_page()
    card = page.locator(f"#pipeline-{pipeline.pk}")

    # Add "Demo" at 35 %: it lands after the last open stage, and the focus is ready for the next.
    name = card.get_by_label("New stage")
    actions.click(name, "click New stage")
    actions.type(name, "Demo")
    actions.tab()  # Tab selects the probability: typing replaces it
    probability = card.get_by_label("Probability (%)")
    actions.type(probability, "35")
    actions.press(probability, "Enter", "press Enter to add the stage")
    expect(page.locator("#messages")).to_contain_text("Added the stage “Demo” to “Sales”.")
    expect(card.get_by_label("New stage")).to_be_focused()
    assert order_on_page(page, pipeline) == ["Lead", "Qualified", "Proposal", "Demo", "Won", "Lost"]
    demo = Stage.objects.get(name="Demo")
    assert (demo.probability, demo.is_open) == (35, True)

    # ↑ once with a click; the button keeps the focus, so Enter moves it up again.
    up = card.get_by_role("button", name="Move Demo up")
    actions.click(up, "click ↑ on Demo")
    expect(card.locator("tr.stage-row").nth(2)).to_contain_text("Demo")
    expect(up).to_be_focused()
    actions.press(up, "Enter", "press Enter: Demo up again")
    expect(card.locator("tr.stage-row").nth(1)).to_contain_text("Demo")
    expect(up).to_be_focused()
    assert order_saved(pipeline) == ["Lead", "Demo", "Qualified", "Proposal", "Won", "Lost"]

    # Drag Lead by its handle below Qualified.
    handle = card.locator(f"#stage-{sales['stages']['Lead'].pk} .drag-handle")
    target = card.locator(f"#stage-{sales['stages']['Qualified'].pk}")

    def drag():
        start, end = handle.bounding_box(), target.bounding_box()
        x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        to_y = end["y"] + end["height"] * 0.75
        for step in range(1, 21):  # a person's drag passes over the rows in between,
            page.mouse.move(x, y + (to_y - y) * step / 20)
            page.wait_for_timeout(20)  # at a person's pace: the rows slide aside as it goes
        page.wait_for_timeout(200)  # and rests a moment where it lands
        page.mouse.move(x, to_y + 1)
        page.mouse.up()

    with page.expect_response(re.compile(r"/settings/pipelines/\d+/order/$")):
        actions.act("drag Lead below Qualified", drag)
    expect(page.locator("#messages")).to_contain_text("New order of “Sales”: Demo, Qualified, Lead")
    assert order_on_page(page, pipeline) == ["Demo", "Qualified", "Lead", "Proposal", "Won", "Lost"]
    assert order_saved(pipeline) == ["Demo", "Qualified", "Lead", "Proposal", "Won", "Lost"]
    actions.assert_not_reloaded()
    page.screenshot(path=tmp_path / "pipelines.png", full_page=True)

    # Remove Qualified, which holds two deals: the page asks where they go, focused on it.
    actions.click(card.get_by_role("link", name="Remove Qualified"), "click Remove on Qualified")
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove the stage “Qualified”")
    expect(page.locator("main")).to_contain_text("“Qualified” holds 2 deals")
    into = page.get_by_label("Move its deals to")
    actions.assert_focus(into)
    actions.type(into, "Proposal")  # a select picks the option typed
    expect(into).to_have_value(str(sales["stages"]["Proposal"].pk))
    actions.click(
        page.get_by_role("button", name="Move them and remove “Qualified”"), "click Move and remove"
    )

    expect(page.locator("#messages")).to_contain_text(
        "Moved 2 deals to “Proposal” and removed the stage “Qualified”."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipelines")
    assert order_on_page(page, pipeline) == ["Demo", "Lead", "Proposal", "Won", "Lost"]
    proposal = sales["stages"]["Proposal"]
    for deal in sales["deals"]:
        deal = Deal.objects.get(pk=deal.pk)
        assert deal.stage == proposal
        latest = deal.history.order_by("-history_id").first()
        assert latest.stage_id == proposal.pk
        assert latest.history_change_reason == "Stage “Qualified” removed: moved to “Proposal”"
    assert list(SettingChange.objects.order_by("id").values_list("action", flat=True)) == [
        "added",
        "reordered",
        "reordered",
        "reordered",
        "merged",
    ]
    actions.assert_count(10)
    actions.assert_no_js_errors()
    assert refused == []


def test_a_move_from_a_stale_page_changes_nothing_and_shows_the_stages_as_they_are(
    page, actions, sales, refused
):
    pipeline, stages = sales["pipeline"], sales["stages"]
    actions.log_in("admin")
    page.goto("/settings/pipelines/")
    page.wait_for_load_state()
    actions.mark_page()
    card = page.locator(f"#pipeline-{pipeline.pk}")
    StageFactory(pipeline=pipeline, name="Added meanwhile", order=3)  # by someone else

    actions.click(card.get_by_role("button", name="Move Proposal up"), "click ↑ on Proposal")

    expect(card.get_by_role("alert")).to_contain_text(
        "Not moved: the stages of “Sales” changed since this page was loaded"
    )
    expect(card.locator("tr.stage-row")).to_have_count(6)
    assert order_on_page(page, pipeline) == order_saved(pipeline)
    assert order_saved(pipeline) == [
        "Lead",
        "Qualified",
        "Proposal",
        "Added meanwhile",
        "Won",
        "Lost",
    ]
    assert not SettingChange.objects.exists()
    assert stages["Proposal"].order == Stage.objects.get(pk=stages["Proposal"].pk).order
    actions.assert_not_reloaded()
    actions.assert_count(2)
    actions.assert_no_js_errors()
    assert refused == []
