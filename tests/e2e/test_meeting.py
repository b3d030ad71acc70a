"""A manager's weekly meeting: run the agenda, page with the keyboard, turn a remark into a task.

maria runs "Weekly pipeline review, team North", goes through its sections with the arrow keys
and j/k, types an action item for ana and saves it with Enter (no reload); the next run of the
same agenda opens with that item and whether it is done.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Activity
from crm.models import User
from reports.meetings import action_item_add
from reports.models import Agenda, AgendaSection, Meeting
from tests.factories import DealFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")

TITLE = "Weekly pipeline review, team North"
ITEM = "Send Nordwind the contract"


def _north_agenda():
    north = TeamFactory(name="North")
    maria = UserFactory(username="maria", role=User.Role.MANAGER, team=north)
    north.managers.add(maria)
    ana = UserFactory(username="ana", team=north)
    UserFactory(username="ben", team=north)
    DealFactory(title="Nordwind rollout", owner=ana)
    agenda = Agenda.objects.create(title=TITLE, owner=maria, team=north)
    AgendaSection.objects.create(agenda=agenda, order=0, report_slug="pipeline")
    AgendaSection.objects.create(agenda=agenda, order=1, report_slug="forecast")
    AgendaSection.objects.create(agenda=agenda, order=2, report_slug="pipeline", walk_through=True)
    return agenda, ana


def _position(page, text):
    expect(page.locator("#stage .position")).to_have_text(text)


def test_a_manager_runs_a_meeting_pages_with_the_keyboard_and_adds_an_action_item(page, actions):
    agenda, ana = _north_agenda()
    actions.log_in("maria")
    page.goto(f"/reports/meetings/{agenda.pk}/")

    actions.click(page.get_by_role("button", name="Run meeting"), "click Run meeting")
    expect(page).to_have_url(re.compile(r"/reports/meetings/m/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    stage = page.locator("#stage")
    # The first run opens with what changed since the agenda was made, then pipeline, forecast,
    # and one page each for ana and ben.
    _position(page, "1 of 5")
    expect(stage.get_by_role("heading", level=2)).to_have_text("Since the agenda was made")

    actions.mark_page()
    body = page.locator("body")
    actions.press(body, "ArrowRight", "press → for the first section")
    _position(page, "2 of 5")
    expect(stage.get_by_role("heading", level=2)).to_have_text("Pipeline")
    actions.press(body, "ArrowRight", "press → for the next section")
    _position(page, "3 of 5")
    expect(stage.get_by_role("heading", level=2)).to_have_text("Forecast")
    expect(page).to_have_url(re.compile(r"\?p=3$"))
    actions.press(body, "j", "press j for the next section")
    _position(page, "4 of 5")
    expect(stage.get_by_role("heading", level=2)).to_have_text("Pipeline: Ana")
    actions.press(body, "k", "press k to go back")
    _position(page, "3 of 5")
    actions.press(body, "ArrowRight", "press → again")
    _position(page, "4 of 5")
    actions.assert_not_reloaded()

    # On ana's page, the action item is for ana unless someone else is chosen.
    items = page.locator("#action-items")
    expect(items.get_by_label("For")).to_have_value(str(ana.pk))
    text = items.get_by_role("textbox", name="Action item")
    actions.click(text, "click Action item")
    actions.type(text, ITEM)
    actions.press(text, "Enter", "press Enter to save the action item")

    expect(items.locator("li.item")).to_have_count(1)
    expect(items.locator("li.item")).to_contain_text(ITEM)
    expect(items.locator("li.item")).to_contain_text("Ana")
    expect(items.get_by_role("textbox", name="Action item")).to_have_value("")
    expect(items.get_by_role("textbox", name="Action item")).to_be_focused()
    _position(page, "4 of 5")  # still on the same page
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    actions.assert_count(9)

    task = Activity.objects.get(subject=ITEM)
    assert task.kind == Activity.Kind.TASK and task.owner == ana
    assert timezone.localtime(task.occurs_at).date() == timezone.localdate() + timedelta(days=7)


def test_the_next_run_opens_with_the_last_action_items_and_whether_they_are_done(page, actions):
    agenda, ana = _north_agenda()
    maria = agenda.owner
    first = Meeting.objects.create(
        agenda=agenda, started_by=maria, started_at=timezone.now() - timedelta(days=7)
    )
    action_item_add(meeting=first, text=ITEM, assignee=ana, due=timezone.localdate(), by=maria)
    action_item_add(
        meeting=first, text="Book the demo", assignee=ana, due=timezone.localdate(), by=maria
    )
    actions.log_in("maria")
    page.goto(f"/reports/meetings/{agenda.pk}/")

    actions.click(page.get_by_role("button", name="Run meeting"), "click Run meeting")

    stage = page.locator("#stage")
    _position(page, "1 of 5")
    expect(stage.get_by_role("heading", level=2)).to_have_text("Since the last meeting")
    previous = stage.locator("#previous-items li.item")
    expect(previous).to_have_count(2)
    expect(stage).to_contain_text("0 of 2 done")

    actions.mark_page()
    actions.click(
        stage.get_by_role("button", name=f"Mark “{ITEM}” done"), "tick the contract item done"
    )
    expect(previous.first).to_have_class(re.compile(r"\bdone\b"))
    expect(previous.first).to_contain_text("Done")
    expect(stage).to_contain_text("1 of 2 done")
    actions.assert_not_reloaded()
    actions.assert_no_js_errors()
    actions.assert_count(3)
    assert Activity.objects.get(subject=ITEM).done
