"""Forms derived from reports: a field an enabled report needs is asked first, required, and
says which report needs it; the admin switches reports on and off in the settings page, and the
forms follow at once.

Of the built-ins only the forecast requires the expected close date (and the amount), so
switching the forecast off makes the close date optional and moves it under "More".
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crm import requirements
from crm.models import ReportSwitch
from deals.models import Deal

HX = {"HX-Request": "true"}
FIELD_START = re.compile(r'<div class="field[ "]')


def field_block(html: str, name: str) -> str:
    """The rendered field group (div.field) holding the input `name`."""
    at = html.index(f'name="{name}"')
    start = max(m.start() for m in FIELD_START.finditer(html, 0, at))
    end = FIELD_START.search(html, at)
    return html[start : end.start() if end else len(html)]


def is_up_front(html: str, name: str) -> bool:
    more = html.find('<details class="more-fields">')
    return more == -1 or html.index(f'name="{name}"') < more


def deal_form(client) -> str:
    response = client.get(reverse("deals:create"))
    assert response.status_code == 200
    return response.content.decode()


def new_deal(north_records, **overrides) -> dict:
    return {
        "title": "Needs check",
        "pipeline": north_records["deal"].pipeline_id,
        "stage": north_records["stage"].pk,
        "amount": "500",
        "owner": north_records["deal"].owner_id,
        **overrides,
    }


def switch(client_for, slug: str, *, on: bool, htmx: bool = False):
    """Flip a report's switch as the admin does on the settings page."""
    response = client_for("admin").post(
        reverse("report-switch", args=[slug]),
        {"enabled": "1" if on else "0"},
        headers=HX if htmx else {},
    )
    assert response.status_code == (200 if htmx else 302)
    return response


# ---- the deal form, forecast on ------------------------------------------------------------


def test_the_deal_form_asks_first_for_the_close_date_the_forecast_needs(client_for, org):
    html = deal_form(client_for("maria"))

    block = field_block(html, "expected_close")
    assert is_up_front(html, "expected_close")
    assert block.startswith('<div class="field required needed">')
    assert re.search(r'<input type="date" name="expected_close"[^>]* required', block)
    assert '<small class="help">Needed by: Forecast</small>' in block
    assert "Needed by: Forecast" in field_block(html, "amount")


def test_a_deal_without_a_close_date_is_refused_while_the_forecast_is_on(client_for, north_records):
    response = client_for("maria").post(reverse("deals:create"), new_deal(north_records))

    assert response.status_code == 200
    block = field_block(response.content.decode(), "expected_close")
    assert "This field is required." in block
    assert not Deal.objects.filter(title="Needs check").exists()


# ---- switching the forecast off and on -------------------------------------------------------


def test_the_settings_page_shows_each_report_with_its_switch_and_what_it_needs(client_for, org):
    html = client_for("admin").get(reverse("settings")).content.decode()

    forecast = re.search(r"<li>\s*<form[^>]*/settings/reports/forecast/.*?</li>", html, re.S)[0]
    assert 'role="switch" aria-checked="true"' in forecast
    assert '<input type="hidden" name="enabled" value="0">' in forecast  # the click turns it off
    assert "Needs: Deal: Expected close date, Amount" in forecast


def test_switching_the_forecast_off_makes_the_close_date_optional_at_once(
    client_for, north_records
):
    maria = client_for("maria")
    assert "Needed by: Forecast" in deal_form(maria)  # the switches are now cached

    switch(client_for, "forecast", on=False)

    html = deal_form(client_for("maria"))
    block = field_block(html, "expected_close")
    assert not is_up_front(html, "expected_close")
    assert block.startswith('<div class="field">')
    assert " required" not in re.search(r'<input[^>]*name="expected_close"[^>]*>', block)[0]
    assert "Needed by" not in html
    response = client_for("maria").post(reverse("deals:create"), new_deal(north_records))
    assert response.status_code == 302
    assert Deal.objects.get(title="Needs check").expected_close is None


def test_switching_the_forecast_on_again_makes_the_close_date_required_again(
    client_for, north_records
):
    switch(client_for, "forecast", on=False)
    assert not is_up_front(deal_form(client_for("maria")), "expected_close")

    switch(client_for, "forecast", on=True)

    html = deal_form(client_for("maria"))
    assert is_up_front(html, "expected_close")
    assert '<small class="help">Needed by: Forecast</small>' in field_block(html, "expected_close")
    response = client_for("maria").post(reverse("deals:create"), new_deal(north_records))
    assert response.status_code == 200
    assert not Deal.objects.filter(title="Needs check").exists()


def test_the_edit_form_follows_the_switch_too(client_for, north_records):
    deal = north_records["deal"]
    edit = reverse("deals:edit", args=[deal.pk])
    assert "Needed by: Forecast" in client_for("maria").get(edit).content.decode()

    switch(client_for, "forecast", on=False)

    html = client_for("maria").get(edit).content.decode()
    assert "Needed by" not in html and not is_up_front(html, "expected_close")


def test_a_switch_by_htmx_answers_with_the_switches_as_they_now_are(client_for, org):
    response = switch(client_for, "forecast", on=False, htmx=True)

    html = response.content.decode()
    assert html.lstrip().startswith('<ul class="switches" id="report-switches">')
    assert "<html" not in html and 'class="topbar"' not in html
    forecast = re.search(r"<li>\s*<form[^>]*/settings/reports/forecast/.*?</li>", html, re.S)[0]
    assert 'aria-checked="false"' in forecast
    assert '<input type="hidden" name="enabled" value="1">' in forecast
    assert ReportSwitch.objects.get(slug="forecast").enabled is False


def test_switching_an_unknown_report_is_not_found(client_for, org):
    response = client_for("admin").post(
        reverse("report-switch", args=["no-such"]), {"enabled": "0"}
    )

    assert response.status_code == 404
    assert not ReportSwitch.objects.exists()


def test_a_manager_may_not_switch_reports(client_for, org):
    response = client_for("maria").post(
        reverse("report-switch", args=["forecast"]), {"enabled": "0"}
    )

    assert response.status_code == 403
    assert not ReportSwitch.objects.exists()
    assert "Needed by: Forecast" in deal_form(client_for("maria"))


# ---- the inline input follows the same needs --------------------------------------------------


def inline_save(client, deal, value: str):
    url = reverse("inline-edit", args=["deals.Deal", deal.pk, "expected_close"])
    original = deal.expected_close.isoformat() if deal.expected_close else ""
    return client.post(
        url, {"version": deal.version, "original": original, "expected_close": value}, headers=HX
    )


def test_clearing_the_close_date_inline_is_refused_while_the_forecast_is_on(
    client_for, north_records
):
    deal = north_records["deal"]

    response = inline_save(client_for("maria"), deal, "")

    assert response.status_code == 200
    assert '<span class="field-errors" role="alert">This field is required.</span>' in (
        response.content.decode()
    )
    deal.refresh_from_db()
    assert deal.expected_close is not None


def test_clearing_the_close_date_inline_is_allowed_with_the_forecast_off(client_for, north_records):
    deal = north_records["deal"]
    switch(client_for, "forecast", on=False)

    response = inline_save(client_for("maria"), deal, "")

    assert response.status_code == 200
    assert response["HX-Trigger"] == "recordChanged"
    assert "add expected close date" in response.content.decode()
    deal.refresh_from_db()
    assert deal.expected_close is None


# ---- the registry ----------------------------------------------------------------------------


@pytest.fixture
def close_plan(monkeypatch):
    """A second report that needs the close date, as a later report would register it."""
    info = requirements.ReportInfo(
        "close-plan", "Close plan", "What closes when?", {"deals.Deal": ("expected_close",)}
    )
    monkeypatch.setitem(requirements.reports, info.slug, info)
    return info


def test_a_field_two_reports_need_names_both(close_plan, client_for, org):
    block = field_block(deal_form(client_for("maria")), "expected_close")

    assert "Needed by: Forecast, Close plan" in block


def test_a_field_stays_required_while_any_report_that_needs_it_is_on(close_plan, client_for, org):
    switch(client_for, "forecast", on=False)

    html = deal_form(client_for("maria"))

    block = field_block(html, "expected_close")
    assert is_up_front(html, "expected_close")
    assert "Needed by: Close plan" in block and "Forecast" not in block
    assert requirements.needed_fields("deals.Deal") == {"expected_close": ["Close plan"]}
