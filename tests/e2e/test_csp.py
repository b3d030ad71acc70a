"""The pages work under the Content-Security-Policy, and the browser reports no violation.

The policy allows no inline script and no eval, so behaviour that used to sit in inline handlers
or htmx trigger filters lives in static/js/huddle.js: Enter opens an inline field, Esc puts an
open one back, the board's pipeline choice submits itself. Chromium logs every blocked script,
style or handler to the console ("Refused to …", "… Content Security Policy …").
"""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from crm.models import User
from reports.models import Agenda, AgendaSection
from tests.factories import (
    ContactFactory,
    DealFactory,
    PipelineFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def violations(page):
    """What the browser refused: console messages about the policy, and security errors."""
    seen: list[str] = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            seen.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return seen


def _north():
    north = TeamFactory(name="North")
    maria = UserFactory(username="maria", role=User.Role.MANAGER, team=north)
    north.managers.add(maria)
    ana = UserFactory(username="ana", team=north)
    sales = PipelineFactory(name="Sales", order=0)
    renewals = PipelineFactory(name="Renewals", order=1)
    StageFactory(pipeline=sales, name="Lead", order=1, probability=10)
    qualified = StageFactory(pipeline=sales, name="Qualified", order=2, probability=25)
    StageFactory(pipeline=renewals, name="Renewal due", order=1, probability=75)
    DealFactory(title="Nordwind rollout", stage=qualified, owner=ana)
    contact = ContactFactory(
        first_name="Nora", last_name="Nordwind", email="nora@nordwind.example", owner=ana
    )
    agenda = Agenda.objects.create(title="Weekly review, North", owner=maria, team=north)
    AgendaSection.objects.create(agenda=agenda, order=0, report_slug="pipeline")
    return {"contact": contact, "agenda": agenda, "renewals": renewals}


def test_the_main_pages_load_without_a_policy_violation(page, actions, violations):
    north = _north()
    actions.log_in("maria")
    expect(page.locator("#my-day-sections")).to_be_visible()

    pages = {
        "/contacts/": "Contacts",
        f"/contacts/{north['contact'].pk}/": "Nora Nordwind",
        "/deals/board/": "Board",
        "/reports/pipeline/": "Pipeline",
        "/reports/dashboard/": None,
        f"/reports/meetings/{north['agenda'].pk}/": "Weekly review, North",
    }
    for url, heading in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")  # the dashboard loads its sections by htmx
        if heading:
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    page.goto(f"/reports/meetings/{north['agenda'].pk}/")
    actions.click(page.get_by_role("button", name="Run meeting"), "click Run meeting")
    expect(page).to_have_url(re.compile(r"/reports/meetings/m/\d+/$"))
    expect(page.locator("#stage")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert violations == []
    actions.assert_no_js_errors()


def test_enter_opens_an_inline_field_and_esc_puts_it_back(page, actions, violations):
    contact = _north()["contact"]
    actions.log_in("ana")
    page.goto(f"/contacts/{contact.pk}/")
    actions.mark_page()

    value = page.get_by_role("button", name="Edit e-mail")
    expect(value).to_have_text("nora@nordwind.example")
    value.focus()  # as Tab would
    actions.press(value, "Enter", "press Enter to edit the e-mail")

    field = page.locator("form.inline-field.editing input[name=email]")
    expect(field).to_be_visible()
    expect(field).to_be_focused()
    actions.type(field, "nora@typo.example")  # the value is selected: typing replaces it
    expect(field).to_have_value("nora@typo.example")
    actions.press(field, "Escape", "press Esc to put it back")

    value = page.get_by_role("button", name="Edit e-mail")
    expect(value).to_have_text("nora@nordwind.example")
    expect(value).to_be_focused()  # Enter opens it again
    expect(page.locator("form.inline-field.editing")).to_have_count(0)
    assert Contact.objects.get(pk=contact.pk).email == "nora@nordwind.example"

    actions.press(value, "Enter", "press Enter to edit it again")
    expect(field).to_be_focused()
    actions.type(field, "nora@fjord.example")

    def save_holding_enter():
        # A person's Enter lasts a while: the saved value is back (and focused) before keyup,
        # which must not open it again.
        page.keyboard.down("Enter")
        expect(page.get_by_role("button", name="Edit e-mail")).to_be_focused()
        page.keyboard.up("Enter")
        page.wait_for_timeout(300)

    actions.act("press Enter to save", save_holding_enter)
    expect(page.get_by_role("button", name="Edit e-mail")).to_have_text("nora@fjord.example")
    expect(page.locator("form.inline-field.editing")).to_have_count(0)
    assert Contact.objects.get(pk=contact.pk).email == "nora@fjord.example"
    actions.assert_count(5)  # log in, Enter, Esc, Enter, Enter
    actions.assert_not_reloaded()
    assert violations == []
    actions.assert_no_js_errors()


def test_choosing_another_pipeline_on_the_board_shows_it(page, actions, violations):
    renewals = _north()["renewals"]
    actions.log_in("ana")
    page.goto("/deals/board/")
    expect(page.locator("#board")).to_contain_text("Qualified")

    actions.act(
        "choose the Renewals pipeline",
        lambda: page.get_by_label("Pipeline", exact=True).select_option(label="Renewals"),
    )

    expect(page).to_have_url(re.compile(rf"/deals/board/\?pipeline={renewals.pk}$"))
    expect(page.locator("#board")).to_contain_text("Renewal due")
    assert violations == []
    actions.assert_no_js_errors()


def test_the_django_admin_works_under_the_policy_too(page, actions, violations):
    north = _north()
    UserFactory(username="root", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    actions.log_in("root")

    for url, heading in {
        "/admin/": "Site administration",
        "/admin/contacts/contact/": "Select contact to change",
        f"/admin/contacts/contact/{north['contact'].pk}/change/": "Change contact",
    }.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    assert violations == []
    actions.assert_no_js_errors()


def test_logging_out_forgets_the_pages_htmx_kept_for_the_back_button(page, actions, violations):
    """htmx keeps snapshots of pushed pages (records included) in sessionStorage."""
    _north()
    actions.log_in("ana")
    actions.click(page.get_by_role("link", name="Contacts", exact=True), "click Contacts")
    search = page.locator("form.filters input[name=q]")
    actions.click(search, "click the filter box")
    actions.type(search, "Nora")
    actions.click(page.get_by_role("button", name="Filter"), "click Filter")
    expect(page).to_have_url(re.compile(r"q=Nora"))
    snapshots = "sessionStorage.getItem('htmx-history-cache')"
    assert "Nordwind" in page.evaluate(snapshots)

    actions.click(page.get_by_role("button", name="Log out"), "click Log out")

    expect(page).to_have_url(re.compile(r"/login/$"))
    assert page.evaluate(snapshots) is None
    assert violations == []
