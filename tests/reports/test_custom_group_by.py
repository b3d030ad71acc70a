"""The pipeline report groups by an admin's field (issue 14: "report filters and group-bys where
the type allows"): "Group by: Stage | <a choice, yes/no or user field of deals>". Rows per value
and one "(none)" row; the totals are those of the report by stage; every figure drills down to
its deals; the field must be one the viewer's role sees; the queries stay the same however many
deals there are."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from crm import custom_fields, layouts, requirements, visibility
from crm.models import CustomField
from tests.factories import DealFactory, PipelineFactory, StageFactory

PIPELINE = reverse("reports:detail", args=["pipeline"])
DRILL = reverse("reports:drill", args=["pipeline"])


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def table_rows(html: str) -> list[list[str]]:
    body = re.search(r'<table class="table report-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body[1], re.S)
    ]


def totals(html: str) -> list[str]:
    foot = re.search(r"<tfoot><tr>(.*?)</tr></tfoot>", html, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", foot[1])]


def head(html: str) -> list[str]:
    thead = re.search(r'<table class="table report-table">\s*<thead><tr>(.*?)</tr>', html, re.S)
    return re.findall(r"<th[^>]*>(.*?)</th>", thead[1])


def row_links(html: str) -> dict[str, str]:
    """The "Deals" figure's drill-down link of each row, by the row's label."""
    body = re.search(r'<table class="table report-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    links = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body[1], re.S):
        label = re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row)[0]).strip()
        links[label] = unescape(re.search(r'<a href="([^"]+)"', row)[1])
    return links


def drilled_titles(viewer: Client, url: str) -> set[str]:
    html = viewer.get(url).content.decode()
    return set(re.findall(r'<a href="/deals/\d+/">([^<]+)</a>', html))


@pytest.fixture
def stages(db):
    pipeline = PipelineFactory(name="Sales")
    return [
        StageFactory(pipeline=pipeline, name="Lead", order=1, probability=10),
        StageFactory(pipeline=pipeline, name="Proposal", order=2, probability=50),
    ]


@pytest.fixture
def segment(db):
    return CustomField.objects.create(
        model="deal",
        key="segment",
        label="Segment",
        type="choice",
        choices=[{"value": "smb", "label": "SMB"}, {"value": "ent", "label": "Enterprise"}],
    )


@pytest.fixture
def deals(org, stages, segment):
    ana, ben = org["ana"], org["ben"]
    made = {
        "Big": DealFactory(
            title="Big", owner=ana, stage=stages[1], amount=9000, custom={"segment": "ent"}
        ),
        "Small": DealFactory(
            title="Small", owner=ben, stage=stages[0], amount=1000, custom={"segment": "smb"}
        ),
        "Tiny": DealFactory(
            title="Tiny", owner=ana, stage=stages[0], amount=100, custom={"segment": "smb"}
        ),
        "Bare": DealFactory(title="Bare", owner=ana, stage=stages[1], amount=500, custom={}),
    }
    DealFactory(  # South's: never in North's figures
        title="Outsider",
        owner=org["carla"],
        stage=stages[0],
        amount=7777,
        custom={"segment": "smb"},
    )
    return made


def test_the_pipeline_groups_by_a_choice_with_a_none_row_and_the_same_totals(deals, org):
    maria = client(org["maria"])
    by_stage = maria.get(PIPELINE).content.decode()
    assert '<select name="group"' in by_stage and ">Segment</option>" in by_stage
    html = maria.get(PIPELINE, {"group": "custom_segment"}).content.decode()

    assert head(html) == ["Segment", "Deals", "Value", "Weighted"]
    assert table_rows(html) == [
        ["SMB", "2", "€1,100", "€110"],
        ["Enterprise", "1", "€9,000", "€4,500"],
        ["(none)", "1", "€500", "€250"],
    ]
    assert totals(html) == totals(by_stage)[:1] + totals(by_stage)[2:] == [
        "Total", "4", "€10,600", "€4,860"
    ]  # fmt: skip
    assert "Outsider" not in html and "7,777" not in html


def test_each_row_drills_down_to_its_deals_and_the_link_says_which_value(deals, org):
    maria = client(org["maria"])
    html = maria.get(PIPELINE, {"group": "custom_segment"}).content.decode()
    links = row_links(html)
    query = parse_qs(urlsplit(links["SMB"]).query)
    assert query["group"] == ["custom_segment"] and query["row"] == ["=smb"]

    assert drilled_titles(maria, links["SMB"]) == {"Small", "Tiny"}
    assert drilled_titles(maria, links["Enterprise"]) == {"Big"}
    assert drilled_titles(maria, links["(none)"]) == {"Bare"}
    total_link = unescape(re.search(r'<tfoot>.*?<a href="([^"]+)"', html, re.S)[1])
    assert drilled_titles(maria, total_link) == {"Big", "Small", "Tiny", "Bare"}
    # A row that names no value is no figure; a value no deal has is an empty one.
    bare = maria.get(DRILL, {"group": "custom_segment", "row": "smb", "col": "count"})
    assert bare.status_code == 404
    assert drilled_titles(maria, f"{DRILL}?group=custom_segment&row=%3Dnothing&col=count") == set()


def test_yes_no_and_user_fields_group_too(deals, org):
    CustomField.objects.create(model="deal", key="strategic", label="Strategic", type="yes_no")
    CustomField.objects.create(model="deal", key="advisor", label="Advisor", type="user")
    custom_fields.forget()
    deals["Big"].custom |= {"strategic": True, "advisor": org["maria"].pk}
    deals["Big"].save()
    deals["Small"].custom |= {"strategic": False, "advisor": org["ben"].pk}
    deals["Small"].save()
    maria = client(org["maria"])

    html = maria.get(PIPELINE, {"group": "custom_strategic"}).content.decode()
    assert [r[:2] for r in table_rows(html)] == [["Yes", "1"], ["No", "1"], ["(none)", "2"]]
    links = row_links(html)
    assert drilled_titles(maria, links["Yes"]) == {"Big"}
    assert drilled_titles(maria, links["(none)"]) == {"Tiny", "Bare"}

    html = maria.get(PIPELINE, {"group": "custom_advisor"}).content.decode()
    names = sorted([str(org["maria"]), str(org["ben"])], key=str.lower)
    assert [r[:2] for r in table_rows(html)] == [[names[0], "1"], [names[1], "1"], ["(none)", "2"]]
    assert drilled_titles(maria, row_links(html)[str(org["maria"])]) == {"Big"}
    assert totals(html)[1] == "4"


def test_a_field_the_role_may_not_see_is_no_group_option_nor_row_for_a_rep(deals, org):
    CustomField.objects.create(
        model="deal",
        key="risk",
        label="Risk",
        type="choice",
        choices=["Low", "High"],
        see_roles=["manager", "admin"],
    )
    custom_fields.forget()
    deals["Big"].custom |= {"risk": "High"}
    deals["Big"].save()
    ana = client(org["ana"])

    page = ana.get(PIPELINE).content.decode()
    assert ">Segment</option>" in page and "Risk" not in page
    forged = ana.get(PIPELINE, {"group": "custom_risk"}).content.decode()
    assert 'role="alert"' in forged and "Select a valid choice" in forged  # says why
    assert head(forged)[:2] == ["Pipeline", "Stage"]  # and shows the report as it is
    assert "High" not in forged and "Risk" not in forged
    # Its drill-down runs by stage: a row named by the field's value is no figure.
    drill = ana.get(DRILL, {"group": "custom_risk", "row": "=High", "col": "count"})
    assert drill.status_code == 404
    # The manager sees it.
    maria = client(org["maria"]).get(PIPELINE, {"group": "custom_risk"}).content.decode()
    assert [r[:2] for r in table_rows(maria)] == [["Low", "0"], ["High", "1"], ["(none)", "3"]]


def test_the_export_and_the_command_read_the_grouped_rows(deals, org):
    maria = client(org["maria"])
    export = maria.get(
        reverse("reports:export", args=["pipeline", "csv"]), {"group": "custom_segment"}
    )
    rows = list(csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["Segment", "Deals", "Value", "Weighted"]
    assert [r[:2] for r in rows[1:]] == [
        ["SMB", "2"], ["Enterprise", "1"], ["(none)", "1"], ["Total", "4"]
    ]  # fmt: skip

    out = io.StringIO()
    call_command(
        "report", "pipeline", "--user", "maria", "--param=group=custom_segment", stdout=out
    )
    result = json.loads(out.getvalue())
    assert [(r["group"], r["count"]) for r in result["rows"]] == [
        ("SMB", 2), ("Enterprise", 1), ("(none)", 1)
    ]  # fmt: skip
    assert Decimal(result["totals"]["value"]) == Decimal("10600")
    with pytest.raises(CommandError, match="Select a valid choice"):
        call_command("report", "pipeline", "--user", "maria", "--param=group=custom_nothing")


@pytest.fixture
def maria(client_for):
    client = client_for("maria")
    visibility.current_policy()
    requirements.disabled_slugs()
    custom_fields.all_fields()
    layouts.for_kind("deal")
    return client


@pytest.mark.parametrize("size", [1, 20])
def test_the_grouped_pipeline_costs_the_same_queries_at_1_and_20_deals(
    org, stages, segment, maria, size, django_assert_num_queries
):
    for i in range(size):
        DealFactory(
            owner=org[("ana", "ben", "maria")[i % 3]],
            stage=stages[i % 2],
            amount=100 + i,
            custom={"segment": ("smb", "ent", None)[i % 3]} if i % 3 != 2 else {},
        )

    with django_assert_num_queries(5):  # by stage: 6 (the stages are not read)
        response = maria.get(PIPELINE, {"group": "custom_segment"})

    html = response.content.decode()
    assert totals(html)[1] == str(size) and len(table_rows(html)) == 3

    with django_assert_num_queries(2):
        drill = maria.get(DRILL, {"group": "custom_segment", "row": "=smb", "col": "count"})
    assert len(re.findall(r'href="/deals/\d+/"', drill.content.decode())) == (size + 2) // 3
