"""The look (issue 13): pages show values as people read them — no raw value on any of them.

Each test opens a page as a user would (the test client) and checks the formatted value is there
and the raw one is not: money as "€125,000", dates with their year, datetimes in the
organisation's time zone, filters labelled for people, report needs named as the forms name them.
"""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import User
from deals.selectors import start_of_today
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
)

RAW_FILTER_TEXT = ("---------", "[invalid name]", "Unknown", "is less than or equal to")


@pytest.fixture(autouse=True)
def _organisation(settings):
    settings.HUDDLE_CURRENCY = "EUR"


def page(client, name, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def section(body: str, heading: str) -> str:
    return body.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]


# ---- filters written for people --------------------------------------------------------------


def test_the_deal_filters_are_labelled_for_people(client_for, org):
    body = page(client_for("ana"), "deals:list")

    for label in ("Any pipeline", "Any stage", "Any owner", "Open or closed", "Closes before"):
        assert label in body
    for raw in RAW_FILTER_TEXT:
        assert raw not in body


def test_the_activity_filters_are_labelled_for_people(client_for, org):
    body = page(client_for("ana"), "contacts:activity-list")

    assert "Any kind" in body and "Done or not" in body and "Any owner" in body
    for raw in RAW_FILTER_TEXT:
        assert raw not in body


def test_the_done_filter_still_filters(client_for, org):
    ActivityFactory(kind="task", subject="Finished task", done=True, owner=org["ana"])
    ActivityFactory(kind="task", subject="Open task", done=False, owner=org["ana"])

    body = page(client_for("ana"), "contacts:activity-list", done="false")

    assert "Open task" in body and "Finished task" not in body


def test_the_contact_and_company_filters_are_labelled_for_people(client_for, org):
    for name in ("contacts:list", "contacts:company-list"):
        body = page(client_for("ana"), name)
        assert "Any owner" in body
        assert "---------" not in body and "[invalid name]" not in body


# ---- settings ------------------------------------------------------------------------------------


def test_settings_name_what_a_report_needs_as_the_forms_do(client_for, org):
    body = page(client_for("admin"), "settings")

    assert "Needs: Deal: Expected close date, Amount" in body
    assert "expected_close" not in body.split("<main", 1)[1]


# ---- reports ---------------------------------------------------------------------------------


def test_what_changed_shows_amounts_as_money_and_when_with_the_year(client_for, org):
    deal = DealFactory(title="Nordwind rollout", owner=org["ana"], amount=Decimal("111000.00"))
    deal.amount = Decimal("125000.00")
    deal.save()

    body = page(client_for("maria"), "reports:detail", "changes")

    assert "€111,000" in body and "€125,000" in body
    assert "111000.00" not in body and "125000.00" not in body
    now = timezone.localtime()
    assert f"{now.day} {now:%b %Y}, " in body  # "6 Dec 2026, 05:11"
    assert f"{now:%Y-%m-%d} " not in body


def test_adoption_shows_last_seen_in_the_organisations_time_zone_in_a_scrolling_table(
    client_for, org, settings
):
    settings.TIME_ZONE = "Europe/Berlin"
    seen = datetime(2026, 12, 6, 4, 11, tzinfo=ZoneInfo("UTC"))
    User.objects.filter(pk=org["ana"].pk).update(last_seen=seen)

    body = page(client_for("maria"), "reports:detail", "adoption")

    table = section_of(body, "adoption").split('<div class="table-scroll">', 1)[1]
    table = re.sub(r'href="[^"]*"', "", table)  # the drill links carry the period as ISO dates
    assert "6 Dec 2026, 05:11" in table
    assert "+01:00" not in table and "2026-12-06" not in table
    assert "</table>" in table  # the table is inside the scrolling box


def section_of(body: str, slug: str) -> str:
    return body.split(f'id="report-{slug}"', 1)[1].split("</section>", 1)[0]


def test_the_forecast_folds_past_months_into_one_overdue_row_and_names_the_months(client_for, org):
    this_month = timezone.localdate().replace(day=1)
    DealFactory(title="Late one", owner=org["ana"], expected_close=this_month - timedelta(days=40))
    also_past = DealFactory(owner=org["ana"], expected_close=this_month - timedelta(days=1))
    coming = this_month + timedelta(days=62)
    DealFactory(owner=org["ana"], expected_close=coming, amount=Decimal("125000.00"))
    client = client_for("maria")

    body = section_of(page(client, "reports:detail", "forecast"), "forecast")

    rows = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 2  # Overdue, and the coming month: no past month as to come
    assert rows.index("Overdue") < rows.index(f"{coming:%b %Y}")
    assert f"{coming:%Y-%m}" not in rows.replace(f"row={coming:%Y-%m}", "")
    assert "€125,000" in rows
    drill = page(client, "reports:drill", "forecast", row="Overdue", col="count")
    assert "Late one" in drill and also_past.title in drill


def test_the_activity_report_names_weeks_with_their_year(client_for, org):
    ActivityFactory(owner=org["ana"], occurs_at=timezone.now())
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    body = section_of(page(client_for("maria"), "reports:detail", "activity"), "activity")

    assert f"{monday.day} {monday:%b %Y}" in body
    assert f">{monday.isoformat()}<" not in body


def test_the_pipeline_report_shows_money_in_the_organisation_currency(client_for, org):
    DealFactory(owner=org["ana"], amount=Decimal("125000.00"))

    body = section_of(page(client_for("ana"), "reports:detail", "pipeline"), "pipeline")

    assert "€125,000" in body and "125000" not in body


# ---- my day ----------------------------------------------------------------------------------


def test_my_day_names_who_and_what_a_meeting_is_with_not_the_rep(client_for, org):
    ana = org["ana"]
    ana.first_name, ana.last_name = "Ana", "Rep"
    ana.save()
    company = CompanyFactory(name="Nordwind GmbH", owner=ana)
    deal = DealFactory(title="Nordwind rollout", company=company, owner=ana)
    meeting = ActivityFactory(
        kind="meeting",
        subject="Demo",
        owner=ana,
        company=company,
        deal=deal,
        occurs_at=start_of_today() + timedelta(hours=10),
    )
    meeting.contacts.add(ContactFactory(first_name="Nora", last_name="Berg", owner=ana))
    meeting.contacts.add(ContactFactory(first_name="Otto", last_name="Zeh", owner=ana))
    # Carla's contact (South) is on the call too: ana may not see it, so it is not named.
    meeting.contacts.add(ContactFactory(first_name="Hidden", last_name="Aaron", owner=org["carla"]))

    appointments = section(page(client_for("ana"), "home"), "Today's meetings and calls")

    assert "with Nora Berg and 1 more" in appointments
    assert "Nordwind GmbH" in appointments and "Nordwind rollout" in appointments
    assert "Ana Rep" not in appointments
    assert "Hidden" not in appointments and "Aaron" not in appointments
    today = timezone.localdate()
    assert f"{today.day} {today:%b %Y}, 10:00" in appointments


def test_my_day_tasks_show_their_company_and_deal_only_when_visible(client_for, org):
    ana = org["ana"]
    theirs = CompanyFactory(name="South secret", owner=org["carla"])
    deal = DealFactory(title="Nordwind rollout", owner=ana)
    ActivityFactory(
        kind="task", subject="Send offer", owner=ana, deal=deal, occurs_at=start_of_today()
    )
    ActivityFactory(
        kind="task", subject="Call back", owner=ana, company=theirs, occurs_at=start_of_today()
    )

    tasks = section(page(client_for("ana"), "home"), "Tasks due")

    assert "Nordwind rollout" in tasks
    assert "Send offer" in tasks and "Call back" in tasks
    assert "South secret" not in tasks


def test_my_day_deals_show_money_and_the_date_with_its_year(client_for, org):
    DealFactory(title="Nordwind rollout", owner=org["ana"], amount=Decimal("125000.00"))

    body = page(client_for("ana"), "home")

    assert "€125,000" in section(body, "My deals without a next step")
    today = timezone.localdate()
    assert f"{today.day} {today:%b %Y}" in body.split("</h1>", 1)[0]


# ---- records ---------------------------------------------------------------------------------


def test_a_company_without_deals_or_people_says_so_in_words(client_for, org):
    company = CompanyFactory(name="Empty GmbH", owner=org["ana"])

    body = page(client_for("ana"), "contacts:company-detail", company.pk)

    assert "No people yet." in body and "No deals yet." in body
    assert ">None<" not in body


def test_an_activity_shows_when_with_its_year_in_the_organisations_time_zone(
    client_for, org, settings
):
    settings.TIME_ZONE = "Europe/Berlin"
    activity = ActivityFactory(
        owner=org["ana"], occurs_at=datetime(2027, 3, 5, 8, 30, tzinfo=ZoneInfo("UTC"))
    )

    assert "5 Mar 2027, 09:30" in page(client_for("ana"), "contacts:activity-detail", activity.pk)
    assert "5 Mar 2027, 09:30" in page(client_for("ana"), "contacts:activity-list")


def test_the_lists_show_dates_with_their_year(client_for, org):
    DealFactory(owner=org["ana"])
    today = timezone.localdate()

    body = page(client_for("ana"), "deals:list")

    assert f"{today.day} {today:%b %Y}" in body


def test_a_timeline_shows_when_with_the_year(client_for, north_records):
    body = page(client_for("ana"), "contacts:detail", north_records["contact"].pk)

    when = timezone.localtime(north_records["activity"].occurs_at)
    assert f"{when.day} {when:%b %Y}, {when:%H:%M}" in body


def test_a_deal_ana_may_see_but_not_change_shows_its_amount_as_money(client_for, org):
    """Reps see their team's deals and change their own (the default policy): ben's deal is
    read-only for ana, so its amount is plain text, in the organisation currency."""
    deal = DealFactory(owner=org["ben"], amount=Decimal("125000.00"))

    body = page(client_for("ana"), "deals:detail", deal.pk)

    assert "€125,000" in body
    assert "125000" not in body and "EUR" not in body


def test_the_activity_list_says_open_or_done_in_words(client_for, org):
    ActivityFactory(kind="task", subject="Open task", done=False, owner=org["ana"])
    ActivityFactory(kind="task", subject="Finished task", done=True, owner=org["ana"])

    body = page(client_for("ana"), "contacts:activity-list")

    assert ">Open<" in body and ">Done<" in body
    assert "✘" not in body and "✔" not in body


def test_what_changed_has_no_empty_total_row(client_for, org):
    DealFactory(owner=org["ana"])

    body = section_of(page(client_for("maria"), "reports:detail", "changes"), "changes")

    assert "New deal" in body
    assert "<tfoot>" not in body
