"""A report can need a custom field (issue 14): the admin ticks "Needed by reports: Forecast" on
a deal field in Settings → Fields; while the forecast is on, the deal form asks for it up front
and requires it, the forecast's completeness counts deals lacking it, and its fix list offers it
to fill in place — the same as for the forecast's own `requires`."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from crm.models import CustomField, SettingChange
from deals.models import Deal
from tests.crm.test_report_needs import deal_form, field_block, is_up_front, new_deal, switch
from tests.factories import DealFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def seats(client_for):
    """Added by the admin through Settings → Fields, needed by the forecast."""
    response = client_for("admin").post(
        reverse("settings-field-create"),
        {
            "model": "deal",
            "label": "Seats",
            "type": "number",
            "needed_by": ["forecast"],
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return CustomField.objects.get(key="seats")


def test_the_deal_form_asks_for_a_field_the_forecast_needs(seats, client_for, north_records):
    assert seats.needed_by == ["forecast"]
    assert SettingChange.objects.get(area="custom field").after["needed_by"] == ["forecast"]
    html = deal_form(client_for("ana"))
    block = field_block(html, "custom_seats")
    assert "Needed by: Forecast" in block and " required" in block
    assert is_up_front(html, "custom_seats")

    refused = client_for("ana").post(reverse("deals:create"), new_deal(north_records))
    assert refused.status_code == 200
    assert not Deal.objects.filter(title="Needs check").exists()
    saved = client_for("ana").post(
        reverse("deals:create"),
        new_deal(north_records, expected_close="2030-01-31", custom_seats="12"),
    )
    assert saved.status_code == 302
    assert Deal.objects.get(title="Needs check").custom == {"seats": 12}

    # The forecast off: the field is optional again, at once.
    switch(client_for, "forecast", on=False)
    html = deal_form(client_for("ana"))
    assert "Needed by" not in field_block(html, "custom_seats")
    assert not is_up_front(html, "custom_seats")


def test_completeness_and_the_fix_list_count_the_custom_field(seats, client_for, north_records):
    deal = north_records["deal"]
    deal.expected_close, deal.amount = "2030-01-31", 1000
    deal.save()
    DealFactory(
        title="Seated deal",
        owner=deal.owner,
        company=deal.company,
        amount=2000,
        expected_close="2030-02-28",
        custom={"seats": 5},
    )
    maria = client_for("maria")
    page = unescape(maria.get(reverse("reports:detail", args=["forecast"])).content.decode())
    assert "1 of 2 open deals lack Seats" in page

    fix = maria.get(reverse("reports:fix", args=["forecast"])).content.decode()
    assert "Nordwind rollout" in fix and "Seated deal" not in fix
    url = reverse("inline-edit", args=["deals.Deal", deal.pk, "custom_seats"])
    assert url in fix
    editor = maria.get(url + "?edit=1", headers=HX).content.decode()
    hidden = dict(re.findall(r'name="(version|original)" value="([^"]*)"', editor))
    saved = maria.post(url, {"custom_seats": "8", **hidden}, headers=HX)
    assert saved.status_code == 200
    page = unescape(maria.get(reverse("reports:detail", args=["forecast"])).content.decode())
    assert "all 2 open deals have what it needs" in page

    settings_page = client_for("admin").get(reverse("settings")).content.decode()
    assert "Deal: Expected close date, Amount, Seats" in unescape(settings_page)


def test_a_report_cannot_need_a_field_of_records_it_does_not_check(client_for):
    response = client_for("admin").post(
        reverse("settings-field-create"),
        {"model": "contact", "label": "Region", "type": "text", "needed_by": ["forecast"]},
    )
    assert response.status_code == 200
    assert "Forecast checks deals only." in unescape(response.content.decode())
    assert not CustomField.objects.exists()
    unknown = client_for("admin").post(
        reverse("settings-field-create"),
        {"model": "deal", "label": "X", "type": "text", "needed_by": ["nonsense"]},
    )
    assert "Select a valid choice" in unknown.content.decode()
    assert not CustomField.objects.exists()
