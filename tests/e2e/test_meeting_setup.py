"""A manager sets a meeting up without reading a URL: "Add to a meeting" on a report with the
filters on screen, then the agenda's sections put in order with the keyboard.
"""

import re

import pytest
from playwright.sync_api import expect

from crm.models import User
from reports.models import Agenda, AgendaSection
from tests.factories import DealFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")

TITLE = "Weekly pipeline review, team North"


def _north_agenda():
    north = TeamFactory(name="North")
    maria = UserFactory(username="maria", role=User.Role.MANAGER, team=north)
    north.managers.add(maria)
    ana = UserFactory(username="ana", team=north)
    DealFactory(title="Nordwind rollout", owner=ana)
    agenda = Agenda.objects.create(title=TITLE, owner=maria, team=north)
    AgendaSection.objects.create(agenda=agenda, order=0, report_slug="pipeline")
    AgendaSection.objects.create(agenda=agenda, order=1, report_slug="forecast")
    return agenda, north


def _focused_label(page) -> str:
    """The accessible label of what has the keyboard focus (read, never set)."""
    return page.evaluate(
        "document.activeElement.getAttribute('aria-label') || document.activeElement.textContent"
    )


def test_a_manager_adds_a_filtered_report_to_an_agenda_and_moves_it_up_by_keyboard(page, actions):
    agenda, north = _north_agenda()
    actions.log_in("maria")
    page.goto(f"/reports/activity/?team={north.pk}&period=this-week")
    before = actions.count

    actions.click(page.get_by_role("link", name="Add to a meeting"), "click Add to a meeting")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add “Activity per rep” to a meeting")
    expect(page.locator(".filters-in-words")).to_have_text("team North · this week")
    actions.click(page.get_by_label(TITLE), f"choose {TITLE}")
    actions.click(page.get_by_role("button", name="Add to the agenda"), "click Add to the agenda")

    expect(page).to_have_url(re.compile(rf"/reports/meetings/{agenda.pk}/edit/$"))
    expect(page.locator("#messages")).to_contain_text("Added “Activity per rep”")
    rows = page.locator("#agenda-sections tr.section-row")
    added = rows.nth(2)
    expect(added.locator(".filters-in-words")).to_have_text("team North · this week")
    actions.mark_page()

    # Tab to the new section's ↑ (moving focus is not counted), then Enter twice: it goes first.
    up = added.get_by_role("button", name="Move up")
    up.focus()
    actions.press(up, "Enter", "press Enter on ↑")
    assert _focused_label(page) == "Move up"
    actions.press(page.locator(":focus"), "Enter", "press Enter on ↑ again")
    assert _focused_label(page) == "Move up"
    expect(rows.first.locator(".filters-in-words")).to_have_text("team North · this week")
    actions.assert_not_reloaded()

    actions.click(page.get_by_role("button", name="Save"), "click Save")
    expect(page).to_have_url(re.compile(rf"/reports/meetings/{agenda.pk}/$"))
    expect(page.locator(".agenda-sections li").first).to_contain_text("Activity per rep")
    expect(page.locator(".agenda-sections li").first).to_contain_text("team North · this week")
    actions.assert_count(before + 6)
    actions.assert_no_js_errors()

    assert [(s.report_slug, s.query) for s in agenda.sections.all()] == [
        ("activity", f"team={north.pk}&period=this-week"),
        ("pipeline", ""),
        ("forecast", ""),
    ]


def test_a_manager_starts_a_new_agenda_from_a_report(page, actions):
    _agenda, north = _north_agenda()
    actions.log_in("maria")
    page.goto(f"/reports/pipeline/?team={north.pk}")
    before = actions.count

    actions.click(page.get_by_role("link", name="Add to a meeting"), "click Add to a meeting")
    title = page.get_by_label("Or to a new agenda, named")
    actions.click(title, "click the new agenda's name")
    actions.type(title, "Monday review")
    actions.press(title, "Enter", "press Enter to add")

    expect(page.locator("#messages")).to_contain_text(
        "Added “Pipeline” to the agenda “Monday review”"
    )
    actions.assert_count(before + 3)
    agenda = Agenda.objects.get(title="Monday review")
    assert agenda.team == north
    assert [(s.report_slug, s.query) for s in agenda.sections.all()] == [
        ("pipeline", f"team={north.pk}")
    ]
