"""A manager fills a gap from a report's fix list, in place, and the report is whole again."""

from datetime import date

import pytest
from playwright.sync_api import expect

from crm.models import User
from deals.models import Deal
from tests.factories import DealFactory, PipelineFactory, StageFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_manager_fills_a_missing_close_date_from_the_forecast_fix_list(page, actions):
    north = TeamFactory(name="North")
    ana = UserFactory(username="ana", role=User.Role.REP, team=north)
    maria = UserFactory(username="maria", role=User.Role.MANAGER, team=north)
    north.managers.add(maria)
    stage = StageFactory(pipeline=PipelineFactory(name="Sales"), name="Qualified", probability=25)
    DealFactory(title="Fjord pilot", stage=stage, owner=ana)
    gap = DealFactory(title="Fjord rollout", stage=stage, owner=ana, expected_close=None)

    actions.log_in("maria")
    page.goto("/reports/forecast/")
    expect(page.locator(".completeness")).to_contain_text(
        "1 of 2 open deals lack expected close date"
    )
    actions.click(page.get_by_role("link", name="Fix list →"), "open the fix list")
    actions.mark_page()
    before = actions.count

    row = page.locator(f"#fix-{gap.pk}")
    field = row.locator("input[name=expected_close]")
    box = field.bounding_box()
    start = {"x": 12, "y": box["height"] / 2}  # where the month is, as a person clicks
    actions.click(field, "click the empty close date", position=start)
    actions.assert_focus(field)
    actions.type(field, "03312030")  # mm/dd/yyyy in the en-US browser
    actions.press(field, "Enter", "press Enter to save")

    expect(page.locator(f"#fix-{gap.pk} .inline-field.saved")).to_contain_text("31 Mar 2030")
    expect(page.locator("#fix-sentence")).to_contain_text("all 2 open deals have what it needs")
    assert actions.count - before == 2
    actions.assert_not_reloaded()
    assert Deal.objects.get(pk=gap.pk).expected_close == date(2030, 3, 31)
