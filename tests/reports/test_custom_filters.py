"""Reports filter by the admin's fields (issue 14): a filterable choice or yes/no field of deals
becomes a filter of every report counted in deals (those filtered by pipeline) — on the page,
in its drill-downs and links, and in `manage.py report` — as the role sees the field."""

from __future__ import annotations

import io
import json
from datetime import date
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from crm.models import CustomField
from tests.factories import DealFactory

NEXT_MONTH = date(2031, 3, 15)


@pytest.fixture
def segment(db):
    return CustomField.objects.create(
        model="deal",
        key="segment",
        label="Segment",
        type="choice",
        choices=["SMB", "Enterprise"],
        filterable=True,
    )


@pytest.fixture
def deals(org, north_records, segment):
    ana, stage = org["ana"], north_records["stage"]
    big = DealFactory(
        title="Big one",
        owner=ana,
        stage=stage,
        amount=9000,
        expected_close=NEXT_MONTH,
        custom={"segment": "Enterprise"},
    )
    small = DealFactory(
        title="Small one",
        owner=ana,
        stage=stage,
        amount=1000,
        expected_close=NEXT_MONTH,
        custom={"segment": "SMB"},
    )
    north_records["deal"].delete()  # only the two above are open
    return big, small


def forecast(user: str, *params: str) -> dict:
    out = io.StringIO()
    call_command(
        "report", "forecast", "--user", user, *[f"--param={p}" for p in params], stdout=out
    )
    return json.loads(out.getvalue())


def test_the_forecast_counts_only_the_chosen_segment(deals):
    everything = forecast("maria")
    enterprise = forecast("maria", "custom_segment=Enterprise")
    assert everything["totals"]["count"] == 2
    assert enterprise["totals"]["count"] == 1
    assert str(enterprise["totals"]["best_case"]).startswith("9000")
    with pytest.raises(CommandError, match="Select a valid choice"):
        forecast("maria", "custom_segment=Atlantis")


def test_the_page_offers_the_filter_and_its_drill_down_keeps_it(deals, client_for):
    maria = client_for("maria")
    url = reverse("reports:detail", args=["forecast"])
    page = unescape(maria.get(url).content.decode())
    assert '<select name="custom_segment"' in page and ">Enterprise</option>" in page
    page = unescape(maria.get(url, {"custom_segment": "SMB"}).content.decode())
    assert "custom_segment=SMB" in page  # drill-down and export links carry it
    drill = maria.get(
        reverse("reports:drill", args=["forecast"]),
        {"custom_segment": "SMB", "row": "", "column": "count"},
    ).content.decode()
    assert "Small one" in drill and "Big one" not in drill


def test_a_field_the_role_may_not_see_or_that_is_not_filterable_is_no_filter(deals, segment):
    segment.see_roles = ["admin"]
    segment.save()
    with pytest.raises(CommandError, match="takes no parameter custom_segment"):
        forecast("maria", "custom_segment=SMB")
    assert forecast("admin", "custom_segment=SMB")["totals"]["count"] == 1
    segment.see_roles, segment.filterable = [], False
    segment.save()
    with pytest.raises(CommandError, match="takes no parameter custom_segment"):
        forecast("admin", "custom_segment=SMB")
