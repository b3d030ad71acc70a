"""Calendars in the browser (issue 15): ana uploads her Outlook invite, adds the unknown attendee
as a contact in one click, subscribes to her team calendar (served on 127.0.0.1), syncs it again,
and copies and regenerates her feed address — all without a page reload."""

import pytest
from playwright.sync_api import expect

from calendars.models import CalendarSource, FeedToken
from contacts.models import Activity, Contact
from crm.models import User
from tests.calendars.conftest import FILES, FeedServer, ics
from tests.factories import CompanyFactory, ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def ana(settings):
    settings.HUDDLE_CALENDAR_DAYS_BACK = 3650  # the test files' meetings lie in 2027
    settings.HUDDLE_CALENDAR_DAYS_AHEAD = 3650
    north = TeamFactory(name="North")
    ana = UserFactory(username="ana", team=north, email="ana@huddle.example")
    company = CompanyFactory(name="Client AG", domain="example.com", owner=ana)
    ContactFactory(
        first_name="Ana",
        last_name="Client",
        email="ana.client@example.com",
        company=company,
        owner=ana,
    )
    return ana


@pytest.fixture
def team_calendar(settings):
    settings.HUDDLE_CALENDAR_ALLOW_PRIVATE_ADDRESSES = True
    server = FeedServer()
    yield server.serve("/team.ics", body=ics("subscription.ics"), etag='"1"')
    server.close()


def test_ana_imports_her_calendar_adds_an_attendee_subscribes_and_renews_her_feed(
    page, actions, ana, team_calendar
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    actions.log_in("ana")
    page.goto("/calendars/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendars")
    actions.mark_page()

    # Upload: the file chooser is the browser's own dialog; Playwright hands it the file.
    page.get_by_label("Calendar file (.ics)").set_input_files(str(FILES / "outlook_invite.ics"))
    actions.click(page.get_by_role("button", name="Import"), "click Import")
    uploads = page.locator("#uploads")
    expect(uploads).to_contain_text("outlook_invite.ics")
    expect(uploads).to_contain_text(
        "1 created, 0 updated, 0 cancelled, 0 unchanged; 1 contact matched"
    )
    expect(page.locator("#messages")).to_contain_text("outlook_invite.ics: 1 created")

    # The unknown attendee, one click to a contact of Client AG (example.com).
    actions.click(
        page.get_by_role("button", name="Add olaf.ohne@example.com as a contact"),
        "click Add as contact",
    )
    expect(uploads).to_contain_text("✓ Olaf Ohne added")
    expect(page.locator("#messages")).to_contain_text("Added Olaf Ohne at Client AG.")
    olaf = Contact.objects.get(email="olaf.ohne@example.com")
    assert olaf.company.name == "Client AG"
    assert olaf.activities.get().subject == "Quartalsgespräch Client AG"

    # A subscription: typed, subscribed, synced at once; then "Sync now" finds it unchanged.
    address = page.get_by_label("Calendar address")
    actions.click(address, "click Calendar address")
    actions.type(address, team_calendar)
    actions.tab_to(page.get_by_label("Name"))
    actions.type(page.get_by_label("Name"), "Team calendar")
    actions.click(page.get_by_role("button", name="Subscribe"), "click Subscribe")
    row = page.locator("#subscriptions tr", has_text="Team calendar")
    expect(row).to_contain_text("5 created, 0 updated, 0 cancelled, 0 unchanged")
    actions.click(row.get_by_role("button", name="Sync now"), "click Sync now")
    expect(page.locator("#subscriptions tr", has_text="Team calendar")).to_contain_text(
        "0 created, 0 updated, 0 cancelled, 5 unchanged"
    )
    source = CalendarSource.objects.get(kind="subscription")
    assert source.last_ok and Activity.objects.filter(calendar_source=source).count() == 5

    # The feed: copy its address, then regenerate it (the old one stops working).
    old = FeedToken.objects.get(user=ana).token
    feed = page.get_by_label("Feed address")
    old_url = f"{page.url.split('/calendars/')[0]}/calendars/feed/{old}.ics"
    expect(feed).to_have_value(old_url)
    actions.click(page.get_by_role("button", name="Copy"), "click Copy")
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == feed.input_value()
    actions.click(page.get_by_role("button", name="Regenerate address"), "click Regenerate")
    expect(page.get_by_label("Feed address")).not_to_have_value(old_url)
    new = FeedToken.objects.get(user=ana).token
    assert new != old
    expect(page.get_by_label("Feed address")).to_have_value(old_url.replace(old, new))

    actions.assert_not_reloaded()
    # log in; import, add; into the address, subscribe, sync now; copy, regenerate
    actions.assert_count(8)
    actions.assert_no_js_errors()
    assert User.objects.get(pk=ana.pk).time_zone == "Europe/Berlin"
