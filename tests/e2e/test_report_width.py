"""A wide report table stays inside its card on a laptop and a desktop: the adoption report has
ten columns, and with one-line headings its last two ("Deals updated", "Activities logged") ran
past the card's right edge at 1,400 px, to be found only by scrolling the table sideways."""

import pytest
from playwright.sync_api import expect

from crm.models import User
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def people():
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    UserFactory(username="admin", role=User.Role.ADMIN, is_staff=True, team=north)
    UserFactory(username="ana", first_name="Ana", last_name="Lindqvist", team=north)
    UserFactory(username="carla", first_name="Carla", last_name="Süder", team=south)


def test_the_adoption_table_fits_its_card(page, actions, people):
    actions.log_in("admin")
    actions.click(page.get_by_role("link", name="Reports"), "open Reports")
    actions.click(page.get_by_role("link", name="Adoption").first, "open Adoption")
    table = page.locator(".report-table")
    expect(table).to_contain_text("Carla Süder")

    last = table.locator("thead th").last
    expect(last).to_contain_text("Activities logged", ignore_case=True)
    card = page.locator(".table-scroll").first.bounding_box()
    heading = last.bounding_box()
    assert heading["x"] + heading["width"] <= card["x"] + card["width"] + 0.5, (heading, card)
    assert table.bounding_box()["width"] <= card["width"] + 0.5
    actions.assert_count(3)  # log in, Reports, Adoption
    actions.assert_no_js_errors()
