"""The report pages over HTTP and the `report` command: figures, completeness and fix lists,
drill-downs, exports, the dashboard, switching a report off, and query counts.

The book: North (ana, ben, maria) and South (carla, sam) each own open deals at stages of two
pipelines, with amounts whose weighted values round half up (0.10 at 25% is 0.03, not 0.02);
North also has a won, a lost and a deleted deal that no pipeline figure may count. Every figure
is checked against an ORM query written here, not against the report's own code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from types import SimpleNamespace
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from crm import custom_fields, formatting, layouts, requirements, visibility
from crm.models import ReportSwitch, VisibilityPolicy
from deals.models import Deal
from reports import registry
from reports.base import Column, Params, Report
from reports.builtin.pipeline import open_deals
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    PipelineFactory,
    StageFactory,
)

CENT = Decimal("0.01")
HX = {"HX-Request": "true"}
JANUARY = date(2030, 1, 15)
MARCH = date(2030, 3, 10)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- the book ------------------------------------------------------------------------------


@pytest.fixture
def stages(db):
    sales = PipelineFactory(name="Sales", order=0)
    renewals = PipelineFactory(name="Renewals", order=1)
    return SimpleNamespace(
        lead=StageFactory(pipeline=sales, name="Lead", order=1, probability=15),
        qualified=StageFactory(pipeline=sales, name="Qualified", order=2, probability=25),
        proposal=StageFactory(pipeline=sales, name="Proposal", order=3, probability=60),
        won=StageFactory(pipeline=sales, name="Won", order=4, probability=100, is_won=True),
        lost=StageFactory(pipeline=sales, name="Lost", order=5, probability=0, is_lost=True),
        renewal=StageFactory(pipeline=renewals, name="Renewal due", order=1, probability=75),
    )


@pytest.fixture
def book(org, stages):
    """Deals by title; each has a company of its owner's."""
    s = stages

    def deal(owner, title, amount, stage, close=JANUARY, **extra):
        company = CompanyFactory(name=f"{title} Ltd", owner=org[owner])
        return DealFactory(
            title=title,
            owner=org[owner],
            company=company,
            stage=stage,
            amount=Decimal(amount),
            expected_close=close,
            **extra,
        )

    deals = [
        deal("ana", "Aurora", "333.30", s.lead),  # 49.995 -> 50.00
        deal("ana", "Birch", "1234.55", s.qualified, close=MARCH),  # 308.6375 -> 308.64
        deal("ben", "Cedar", "0.10", s.qualified),  # 0.025 -> 0.03, half up
        deal("ben", "Dune", "2.50", s.proposal, close=MARCH),  # 1.50
        deal("maria", "Elm renewal", "8000.00", s.renewal),  # 6000.00
        deal("ana", "Fjord", "5000.00", s.won),  # closed: in no open figure
        deal("ana", "Glacier", "7000.00", s.lost, lost_reason="Budget"),
        deal("ana", "Harbour", "9000.00", s.lead, deleted_at=timezone.now()),
        deal("carla", "Sundance", "4444.44", s.proposal),
        deal("sam", "Solstice", "1000.01", s.lead, close=MARCH),
    ]
    return {d.title: d for d in deals}


# The open deals' figures, worked out by hand from the book above.
BY_HAND = {
    "North": {
        "count": 5,
        "value": Decimal("9570.45"),  # 333.30 + 1234.55 + 0.10 + 2.50 + 8000.00
        "weighted_value": Decimal("6360.17"),  # 50.00 + 308.64 + 0.03 + 1.50 + 6000.00
    },
    "South": {
        "count": 2,
        "value": Decimal("5444.45"),  # 4444.44 + 1000.01
        "weighted_value": Decimal("2816.66"),  # 2666.66 + 150.00
    },
}


def open_of(team: str, **filters):
    """An independent ORM query: the live open deals owned by members of one team."""
    return (
        Deal.all_objects.filter(
            deleted_at__isnull=True,
            owner__team__name=team,
            stage__is_won=False,
            stage__is_lost=False,
            **filters,
        )
        .select_related("stage")
        .order_by("pk")
    )


def figures(deals) -> dict:
    deals = list(deals)
    return {
        "count": len(deals),
        "value": sum((d.amount for d in deals), Decimal("0.00")),
        "weighted_value": sum(
            (
                (d.amount * d.stage.probability / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
                for d in deals
            ),
            Decimal("0.00"),
        ),
    }


def report_json(slug: str, username: str, *params: str) -> dict:
    out = io.StringIO()
    args = [slug, "--user", username, "--format", "json"]
    for param in params:
        args += ["--param", param]
    call_command("report", *args, stdout=out)
    return json.loads(out.getvalue())


def money_text(value) -> str:
    """A money figure as report tables show it (crm/formatting.py)."""
    return formatting.money(value)


def totals_cells(html: str) -> list[str]:
    foot = re.search(r"<tfoot><tr>(.*?)</tr></tfoot>", html, re.S)
    assert foot, "the report table has no totals row"
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", foot[1])
    ]


def table_rows(html: str) -> list[list[str]]:
    body = re.search(r'<table class="table report-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body[1], re.S)
    ]


def drill_links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="(/reports/[^"]*/drill/[^"]*)"', html)]


def listed_deals(html: str) -> set[int]:
    """The deals a drill-down table lists, by pk."""
    body = re.search(r'<div id="results">(.*?)</div>', html, re.S)[1]
    return {int(pk) for pk in re.findall(r'<td><a href="/deals/(\d+)/">', body)}


def pks(deals) -> set[int]:
    return {d.pk for d in deals}


def team_policy():
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"deal_see": "team"})
    visibility.forget_policy()


# ---- Done when: the pipeline's figures, as maria, ana and carla -----------------------------


@pytest.mark.parametrize(
    ("username", "team"), [("maria", "North"), ("ana", "North"), ("carla", "South")]
)
def test_the_pipeline_totals_are_those_of_the_open_deals_the_user_may_see(username, team, book):
    team_policy()
    expected = figures(open_of(team))
    assert expected == BY_HAND[team]  # the independent query agrees with the arithmetic

    data = report_json("pipeline", username)

    assert data["report"] == "pipeline"
    assert data["totals"] == {k: str(v) if k != "count" else v for k, v in expected.items()}
    assert all(re.fullmatch(r"-?\d+\.\d\d", data["totals"][k]) for k in ("value", "weighted_value"))


@pytest.mark.parametrize(
    ("username", "team"), [("maria", "North"), ("ana", "North"), ("carla", "South")]
)
def test_the_pipeline_rows_are_per_open_stage_with_that_stages_deals(username, team, book, stages):
    team_policy()

    rows = report_json("pipeline", username)["rows"]

    open_stages = [stages.lead, stages.qualified, stages.proposal, stages.renewal]
    assert [(r["pipeline"], r["stage"]) for r in rows] == [
        (s.pipeline.name, s.name) for s in open_stages
    ]
    for row, stage in zip(rows, open_stages, strict=True):
        expected = figures(open_of(team, stage=stage))
        assert (row["count"], row["value"], row["weighted_value"]) == (
            expected["count"],
            str(expected["value"]),
            str(expected["weighted_value"]),
        ), stage.name


@pytest.mark.parametrize(
    ("username", "team"), [("maria", "North"), ("ana", "North"), ("carla", "South")]
)
def test_the_pipeline_page_shows_the_same_totals(username, team, book, client_for):
    team_policy()
    expected = figures(open_of(team))

    response = client_for(username).get(reverse("reports:detail", args=["pipeline"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert totals_cells(html) == [
        "Total",
        "",
        str(expected["count"]),
        money_text(expected["value"]),
        money_text(expected["weighted_value"]),
    ]
    other = "South" if team == "North" else "North"
    for deal in open_of(other):
        assert deal.title not in html


def test_the_pipeline_takes_a_pipeline_parameter(book, stages):
    renewals = stages.renewal.pipeline

    data = report_json("pipeline", "maria", f"pipeline={renewals.pk}")

    assert [r["stage"] for r in data["rows"]] == ["Renewal due"]
    expected = figures(open_of("North", pipeline=renewals))
    assert data["totals"]["count"] == expected["count"] == 1
    assert data["totals"]["weighted_value"] == str(expected["weighted_value"]) == "6000.00"


def test_the_report_command_refuses_a_team_the_user_may_not_filter_by(book, org):
    south = org["carla"].team

    with pytest.raises(CommandError, match="team: Select a valid choice"):
        report_json("pipeline", "maria", f"team={south.pk}")


# ---- Done when: a missing close date, the fix list, and filling it inline --------------------


def completeness_sentence(html: str) -> tuple[int, int]:
    found = re.search(r"Forecast: (\d+) of (\d+) open deals", html)
    assert found, "no completeness sentence with figures"
    return int(found[1]), int(found[2])


def test_removing_a_close_date_lowers_the_forecasts_completeness(book, client_for):
    client = client_for("maria")
    north = open_of("North").count()
    before = report_json("forecast", "maria")["completeness"]
    assert (before["total"], before["complete"], before["percent"]) == (north, north, 100)
    page = client.get(reverse("reports:detail", args=["forecast"])).content.decode()
    assert f"Forecast: all {north} open deals have what it needs." in page
    assert reverse("reports:fix", args=["forecast"]) not in page

    Deal.objects.filter(title="Birch").update(expected_close=None)

    after = report_json("forecast", "maria")["completeness"]
    assert (after["total"], after["complete"], after["incomplete"]) == (north, north - 1, 1)
    assert after["percent"] == round(100 * (north - 1) / north) < 100
    assert after["missing"] == {"expected close date": 1, "amount": 0}
    page = client.get(reverse("reports:detail", args=["forecast"])).content.decode()
    assert completeness_sentence(page) == (1, north)
    assert "lack expected close date" in page
    assert f'href="{reverse("reports:fix", args=["forecast"])}?"' in page


def test_the_fix_list_holds_just_the_incomplete_deals_with_just_their_missing_fields(
    book, client_for
):
    Deal.objects.filter(title="Birch").update(expected_close=None)
    Deal.objects.filter(title="Cedar").update(amount=0)
    Deal.objects.filter(title="Dune").update(amount=0, expected_close=None)
    Deal.objects.filter(title="Sundance").update(expected_close=None)  # South's: not maria's

    response = client_for("maria").get(reverse("reports:fix", args=["forecast"]))

    assert response.status_code == 200
    html = response.content.decode()
    rows = dict(re.findall(r'<tr id="fix-(\d+)">(.*?)</tr>', html, re.S))
    by_title = {t: book[t].pk for t in ("Birch", "Cedar", "Dune")}
    assert set(rows) == {str(pk) for pk in by_title.values()}
    fields = {
        t: set(re.findall(r'<input type="[^"]+" name="(\w+)"', rows[str(pk)]))
        for t, pk in by_title.items()
    }
    plumbing = {"csrfmiddlewaretoken", "version", "original", "next"}
    assert fields["Birch"] - plumbing == {"expected_close"}
    assert fields["Cedar"] - plumbing == {"amount"}
    assert fields["Dune"] - plumbing == {"amount", "expected_close"}
    assert "Sundance" not in html and "Aurora" not in html
    assert "Forecast: 3 of 5 open deals are incomplete" in html


def test_filling_the_close_date_in_the_fix_list_restores_completeness(book, client_for):
    client = client_for("maria")
    Deal.objects.filter(title="Birch").update(expected_close=None)
    birch = Deal.objects.get(title="Birch")
    fix_url = reverse("reports:fix", args=["forecast"])
    fix_page = client.get(fix_url).content.decode()
    row = re.search(rf'<tr id="fix-{birch.pk}">(.*?)</tr>', fix_page, re.S)[1]
    action = unescape(re.search(r'hx-post="([^"]+)"', row)[1])
    hidden = dict(
        re.findall(r'<input type="hidden" name="(version|original)" value="([^"]*)"', row)
    )
    assert hidden == {"version": str(birch.version), "original": ""}

    response = client.post(action, {**hidden, "expected_close": "2030-04-30"}, headers=HX)

    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "recordChanged"
    fragment = response.content.decode()
    assert fragment.strip().startswith('<span class="inline-field saved"')
    assert "30 Apr 2030" in fragment
    assert "<html" not in fragment and 'class="topbar"' not in fragment
    birch.refresh_from_db()
    assert birch.expected_close == date(2030, 4, 30)
    after = report_json("forecast", "maria")["completeness"]
    assert after["incomplete"] == 0 and after["percent"] == 100
    fix_page = client.get(fix_url).content.decode()
    assert f'id="fix-{birch.pk}"' not in fix_page
    assert "Nothing to fix" in fix_page


def test_the_fix_list_sentence_reloads_when_a_record_changes(book, client_for):
    Deal.objects.filter(title="Birch").update(expected_close=None)

    html = client_for("maria").get(reverse("reports:fix", args=["forecast"])).content.decode()

    sentence = re.search(r'<p class="completeness gaps"[^>]*>', html)[0]
    assert 'hx-trigger="recordChanged from:body"' in sentence
    assert 'hx-select="#fix-sentence"' in sentence


def test_a_report_that_requires_no_field_has_no_fix_list(book, client_for):
    response = client_for("maria").get(reverse("reports:fix", args=["pipeline"]))

    assert response.status_code == 404


# ---- drill-down ----------------------------------------------------------------------------


def test_each_stage_count_drills_down_to_exactly_the_deals_behind_it(book, client_for, stages):
    client = client_for("maria")
    html = client.get(reverse("reports:detail", args=["pipeline"])).content.decode()
    count_links = [link for link in drill_links(html) if "col=count" in link]
    stage_links = [link for link in count_links if "row=&" not in link]
    assert len(stage_links) == 4  # one per open stage

    for link in stage_links:
        stage_id = int(re.search(r"row=(\d+)", link)[1])
        listed = listed_deals(client.get(link).content.decode())
        assert listed == pks(open_of("North", stage_id=stage_id)), link


def test_the_totals_drill_down_to_every_open_deal_in_scope(book, client_for):
    client = client_for("maria")
    html = client.get(reverse("reports:detail", args=["pipeline"])).content.decode()
    total_links = [link for link in drill_links(html) if "row=&" in link]
    assert {re.search(r"col=(\w+)", link)[1] for link in total_links} == {
        "count",
        "value",
        "weighted_value",
    }

    for link in total_links:
        assert listed_deals(client.get(link).content.decode()) == pks(open_of("North")), link


def test_a_drill_down_keeps_the_reports_filters(book, client_for, org, stages):
    client = client_for("maria")
    ben = org["ben"]
    url = reverse("reports:detail", args=["pipeline"]) + f"?owner={ben.pk}"
    html = client.get(url).content.decode()
    assert totals_cells(html)[2] == "2"
    qualified = next(
        link
        for link in drill_links(html)
        if f"row={stages.qualified.pk}&" in link and "col=count" in link
    )
    assert f"owner={ben.pk}" in qualified

    listed = listed_deals(client.get(qualified).content.decode())

    assert listed == {book["Cedar"].pk}


def test_a_forecast_month_drills_down_to_the_deals_closing_that_month(book, client_for):
    url = reverse("reports:drill", args=["forecast"]) + "?row=2030-03&col=weighted_value"

    listed = listed_deals(client_for("maria").get(url).content.decode())

    assert listed == {book["Birch"].pk, book["Dune"].pk}


@pytest.mark.parametrize(
    ("slug", "row"),
    [
        ("pipeline", "abc"),
        ("pipeline", "1.5"),
        ("pipeline", "1 OR 1=1"),
        ("pipeline", "99999999999999999999999"),  # beyond any integer column
        ("forecast", "2030"),
        ("forecast", "x-y"),
        ("forecast", "2030-01-15"),
    ],
)
def test_a_forged_row_is_not_found(slug, row, book, client_for):
    url = reverse("reports:drill", args=[slug]) + "?" + urlencode({"row": row, "col": "count"})

    assert client_for("maria").get(url).status_code == 404


@pytest.mark.parametrize(
    ("slug", "row"),
    [("pipeline", "0"), ("forecast", "2030-13"), ("forecast", "1999-01")],
)
def test_a_well_formed_row_that_names_no_figure_lists_nothing(slug, row, book, client_for):
    url = reverse("reports:drill", args=[slug]) + "?" + urlencode({"row": row, "col": "count"})

    response = client_for("maria").get(url)

    assert response.status_code == 200
    assert listed_deals(response.content.decode()) == set()


@pytest.mark.parametrize("col", ["stage", "pipeline", "probability", "nonsense"])
def test_a_column_without_drill_down_is_not_found(col, book, client_for, stages):
    url = (
        reverse("reports:drill", args=["pipeline"])
        + "?"
        + urlencode({"row": stages.lead.pk, "col": col})
    )

    assert client_for("maria").get(url).status_code == 404


def test_an_outsiders_drill_down_lists_none_of_norths_deals(book, client_for):
    url = reverse("reports:drill", args=["pipeline"]) + "?row=&col=count"

    html = client_for("carla").get(url).content.decode()

    assert listed_deals(html) == pks(open_of("South"))
    for deal in open_of("North"):
        assert deal.title not in html


# ---- invalid filters -----------------------------------------------------------------------


class PeriodReport(Report):
    """A report over a period, registered only for the tests that need the period filter."""

    slug = "test-period"
    title = "Test period"
    question = "How many deals were created in the period?"
    audience = ("rep", "manager", "admin")
    filters = ("period", "team", "owner")
    columns = (Column("owner", "Owner"), Column("count", "Deals", "int", drill=True))

    def compute(self, user, params: Params):
        deals = params.owned(Deal.objects.visible_to(user)).filter(
            created_at__gte=params.start_dt(), created_at__lt=params.end_dt()
        )
        count = deals.count()
        return [{"owner": "Everyone", "count": count}], {"count": count}

    def drill(self, user, params, row, column):
        return params.owned(Deal.objects.visible_to(user)).filter(
            created_at__gte=params.start_dt(), created_at__lt=params.end_dt()
        )


@pytest.fixture
def period_report(monkeypatch):
    report = PeriodReport()
    monkeypatch.setitem(registry._reports, report.slug, report)
    return report


@pytest.mark.parametrize("query", [{"team": "999"}, {"owner": "999"}, {"pipeline": "abc"}])
def test_an_invalid_filter_shows_a_message_and_the_report_on_its_defaults(query, book, client_for):
    url = reverse("reports:detail", args=["pipeline"]) + "?" + urlencode(query)

    response = client_for("maria").get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message error" role="alert"' in html
    assert "These filters are not valid" in html and "Showing the defaults." in html
    assert totals_cells(html)[2] == str(open_of("North").count())


def test_another_teams_id_is_an_invalid_filter_not_a_wider_scope(book, client_for, org):
    south = org["carla"].team
    url = reverse("reports:detail", args=["pipeline"]) + f"?team={south.pk}"

    html = client_for("maria").get(url).content.decode()

    assert "These filters are not valid" in html
    assert totals_cells(html)[2] == str(open_of("North").count())
    assert "Sundance" not in html


@pytest.mark.parametrize(
    "query", [{"start": "notadate"}, {"start": "2030-02-01", "end": "2030-01-01"}]
)
def test_an_invalid_period_shows_a_message_and_the_default_period(
    query, period_report, book, client_for
):
    url = reverse("reports:detail", args=[period_report.slug]) + "?" + urlencode(query)

    response = client_for("maria").get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "These filters are not valid" in html and "Showing the defaults." in html
    # The default period (the last 90 days) holds every North deal created by the fixtures.
    assert totals_cells(html)[1] == str(
        Deal.all_objects.filter(deleted_at__isnull=True, owner__team__name="North").count()
    )


@pytest.mark.parametrize("query", [{"team": "999"}, {"start": "notadate"}])
def test_a_drill_down_with_an_invalid_filter_says_so(query, period_report, book, client_for):
    url = (
        reverse("reports:drill", args=[period_report.slug])
        + "?"
        + urlencode({"row": "", "col": "count", **query})
    )

    response = client_for("maria").get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "These filters are not valid" in html, "the drill-down widens silently to its defaults"
    assert listed_deals(html) == pks(
        Deal.all_objects.filter(deleted_at__isnull=True, owner__team__name="North")
    )


# ---- export --------------------------------------------------------------------------------


def export_url(slug: str, fmt: str, **query) -> str:
    url = reverse("reports:export", args=[slug, fmt])
    return url + ("?" + urlencode(query) if query else "")


def body(response) -> bytes:
    """The whole file, streamed or not: read once, kept for another look."""
    if not hasattr(response, "read_once"):
        response.read_once = response.getvalue()
    return response.read_once


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8"))))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def expected_pipeline_rows(data: dict) -> list[list]:
    rows = [
        [r["pipeline"], r["stage"], r["count"], r["value"], r["weighted_value"]]
        for r in data["rows"]
    ]
    totals = data["totals"]
    return [*rows, ["Total", "", totals["count"], totals["value"], totals["weighted_value"]]]


def same_figures(got: list, expected: list) -> bool:
    """Text equal as text, figures equal as numbers (a CSV writes 0.0, a sheet holds floats)."""
    if len(got) != len(expected):
        return False
    for g, e in zip(got, expected, strict=True):
        if isinstance(e, int) or re.fullmatch(r"-?\d+\.\d\d", str(e)):
            if Decimal(str(g)).quantize(CENT) != Decimal(str(e)).quantize(CENT):
                return False
        elif (g or "") != e:
            return False
    return True


def test_the_pipeline_exports_as_csv_with_the_reports_rows(book, client_for):
    response = client_for("maria").get(export_url("pipeline", "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == CSV_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="huddle-pipeline.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["Pipeline", "Stage", "Deals", "Value", "Weighted"]
    expected = expected_pipeline_rows(report_json("pipeline", "maria"))
    assert len(rows[1:]) == len(expected)
    for got, want in zip(rows[1:], expected, strict=True):
        assert same_figures(got, want), (got, want)


def test_the_pipeline_exports_as_xlsx_with_the_reports_rows(book, client_for):
    response = client_for("maria").get(export_url("pipeline", "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="huddle-pipeline.xlsx"'
    rows = xlsx_rows(response)
    assert rows[0] == ["Pipeline", "Stage", "Deals", "Value", "Weighted"]
    expected = expected_pipeline_rows(report_json("pipeline", "maria"))
    for got, want in zip(rows[1:], expected, strict=True):
        assert same_figures(got, want), (got, want)
    assert isinstance(rows[-1][3], float | int)  # figures stay numbers in a sheet


def test_a_drill_down_exports_the_records_behind_the_figure(book, client_for, stages):
    url = export_url("pipeline", "csv", drill=1, row=stages.qualified.pk, col="count")

    response = client_for("maria").get(url)

    assert response["Content-Disposition"] == 'attachment; filename="huddle-pipeline-records.csv"'
    rows = csv_rows(response)
    assert rows[0][:2] == ["Title", "Company"]
    assert sorted(r[0] for r in rows[1:]) == ["Birch", "Cedar"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("title", "company"),
    [('=HYPERLINK("http://x.example","x")', "+cmd|' /C calc'!A0"), ("@SUM(1+1)", "-2+3")],
)
def test_exported_text_that_a_spreadsheet_would_run_arrives_as_text(
    fmt, title, company, book, client_for, org, stages
):
    DealFactory(
        title=title,
        owner=org["ana"],
        company=CompanyFactory(name=company, owner=org["ana"]),
        stage=stages.lead,
        expected_close=JANUARY,
    )
    url = export_url("forecast", fmt, drill=1, row="2030-01", col="count")

    response = client_for("maria").get(url)

    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    row = next(r for r in rows if r[0].startswith("'"))
    assert row[0] == "'" + title
    assert row[1] == "'" + company
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
        assert all(cell.data_type == "s" for cell in sheet[rows.index(row) + 1][:2])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query", [{}, {"drill": 1, "row": "", "col": "count"}])
def test_a_report_and_the_records_behind_a_figure_are_streamed(fmt, query, book, client_for):
    """Written as the rows are read (CSV in chunks, XLSX through a write-only workbook), so a
    large drill-down is never held whole in memory as one response body."""
    response = client_for("maria").get(export_url("pipeline", fmt, **query))

    assert response.status_code == 200
    assert response.streaming
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert len(rows) > 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_outsiders_exports_hold_none_of_norths_deals(fmt, book, client_for):
    client = client_for("carla")
    read = csv_rows if fmt == "csv" else xlsx_rows

    records = read(client.get(export_url("pipeline", fmt, drill=1, row="", col="count")))
    report = read(client.get(export_url("pipeline", fmt)))

    assert sorted(r[0] for r in records[1:]) == sorted(d.title for d in open_of("South"))
    south = figures(open_of("South"))
    assert same_figures(
        report[-1], ["Total", "", south["count"], str(south["value"]), str(south["weighted_value"])]
    )


def test_an_unknown_export_format_is_not_found(book, client_for):
    assert client_for("maria").get(export_url("pipeline", "pdf")).status_code == 404


# ---- dashboard, index, sections, and reports switched off -----------------------------------


def sections_of(html: str) -> list[str]:
    return re.findall(r'hx-get="/reports/([\w-]+)/section/[^"]*" hx-trigger="load"', html)


def audience_slugs(role: str) -> set[str]:
    return {
        r.slug
        for r in registry.all_reports()
        if role in r.audience and r.slug not in requirements.disabled_slugs()
    }


def test_the_dashboard_loads_each_of_a_managers_reports_lazily(book, client_for):
    response = client_for("maria").get(reverse("reports:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert {"pipeline", "forecast"} <= set(sections_of(html))
    assert set(sections_of(html)) == audience_slugs("manager")
    assert "Birch" not in html and money_text(figures(open_of("North"))["value"]) not in html


def test_a_reps_dashboard_has_no_manager_reports(book, client_for):
    html = client_for("ben").get(reverse("reports:dashboard")).content.decode()

    assert "pipeline" in sections_of(html)
    assert "forecast" not in sections_of(html)
    assert set(sections_of(html)) == audience_slugs("rep")


def test_the_dashboard_passes_its_filters_to_each_section(book, client_for, org):
    north = org["maria"].team

    html = (
        client_for("maria").get(reverse("reports:dashboard") + f"?team={north.pk}").content.decode()
    )

    assert f'hx-get="/reports/pipeline/section/?team={north.pk}"' in html


def test_a_section_is_a_fragment_with_its_figures(book, client_for):
    response = client_for("maria").get(reverse("reports:section", args=["pipeline"]), headers=HX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="report-section card" id="report-pipeline">')
    assert "<html" not in html and 'class="topbar"' not in html
    assert totals_cells(html)[2] == str(open_of("North").count())
    assert "HX-Request" in response["Vary"]


def test_the_report_page_answers_htmx_filter_changes_with_its_section(book, client_for, org):
    ben = org["ben"]
    url = reverse("reports:detail", args=["pipeline"]) + f"?owner={ben.pk}"

    response = client_for("maria").get(url, headers=HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="report-section card" id="report-pipeline">')
    assert 'class="filters"' not in html and "<html" not in html
    assert totals_cells(html)[2] == str(open_of("North", owner=ben).count())


def test_the_index_lists_the_reports_a_user_may_open(book, client_for):
    maria = client_for("maria").get(reverse("reports:index")).content.decode()
    assert 'href="/reports/pipeline/"' in maria and 'href="/reports/forecast/"' in maria

    ben = client_for("ben").get(reverse("reports:index")).content.decode()
    assert 'href="/reports/pipeline/"' in ben and 'href="/reports/forecast/"' not in ben


def switch_off_by_admin(client_for, slug: str):
    response = client_for("admin").post(reverse("report-switch", args=[slug]), {"enabled": "0"})
    assert response.status_code == 302
    assert ReportSwitch.objects.get(slug=slug).enabled is False


def test_a_switched_off_report_leaves_the_index_and_the_dashboard(book, client_for):
    switch_off_by_admin(client_for, "forecast")
    client = client_for("maria")

    index = client.get(reverse("reports:index")).content.decode()
    dashboard = client.get(reverse("reports:dashboard")).content.decode()

    assert 'href="/reports/forecast/"' not in index and 'href="/reports/pipeline/"' in index
    assert "forecast" not in sections_of(dashboard) and "pipeline" in sections_of(dashboard)


@pytest.mark.parametrize("username", ["maria", "admin"])
@pytest.mark.parametrize(
    ("url_name", "args", "query"),
    [
        ("reports:detail", [], ""),
        ("reports:section", [], ""),
        ("reports:drill", [], "?row=&col=count"),
        ("reports:fix", [], ""),
        ("reports:export", ["csv"], ""),
        ("reports:export", ["xlsx"], "?drill=1&row=&col=count"),
    ],
)
def test_a_switched_off_report_answers_404(username, url_name, args, query, book, client_for):
    Deal.objects.filter(title="Birch").update(expected_close=None)  # so the fix list has a row
    url = reverse(url_name, args=["forecast", *args]) + query
    assert client_for(username).get(url).status_code == 200
    switch_off_by_admin(client_for, "forecast")

    assert client_for(username).get(url).status_code == 404


def test_a_report_switched_back_on_opens_again(book, client_for):
    switch_off_by_admin(client_for, "forecast")
    client_for("admin").post(reverse("report-switch", args=["forecast"]), {"enabled": "1"})

    response = client_for("maria").get(reverse("reports:detail", args=["forecast"]))

    assert response.status_code == 200
    assert ReportSwitch.objects.get(slug="forecast").enabled is True


# ---- query counts --------------------------------------------------------------------------
# STYLE 20, DECISIONS "Measuring": 1 and 20 deals, every relation filled (company, contacts,
# stage, owner), several owners, the rendered rows counted in the same test, every query of the
# request counted (sessions are signed cookies: the user is the first query). The report page
# adds three for its filter form's choices (teams, owners, pipelines).

SIZES = [1, 20]
OWNERS = ("ana", "ben", "maria")


@pytest.fixture
def fill(org, stages):
    """`fill(n)`: n open North deals, owners taking turns, each with a company and two contacts,
    at the three Sales stages and closing over several months; plus South's deals."""
    open_stages = [stages.lead, stages.qualified, stages.proposal]

    def make(n, *, close=True):
        for i in range(n):
            owner = org[OWNERS[i % len(OWNERS)]]
            company = CompanyFactory(name=f"Zeta {i:02} GmbH", owner=owner)
            deal = DealFactory(
                title=f"Zeta deal {i:02}",
                owner=owner,
                company=company,
                stage=open_stages[i % 3],
                amount=Decimal("1000.50") + i,
                expected_close=JANUARY + timedelta(days=31 * (i % 4)) if close else None,
            )
            deal.contacts.add(
                ContactFactory(company=company, owner=owner), ContactFactory(owner=owner)
            )
        for i in range(3):
            DealFactory(
                title=f"South deal {i}",
                owner=org["carla"],
                company=CompanyFactory(owner=org["carla"]),
                stage=open_stages[i % 3],
                expected_close=None if not close else JANUARY,
            )

    return make


@pytest.fixture
def maria(client_for):
    """maria's client, with the caches warm as for nearly every real request: the visibility
    policy and the report switches are read at most every few seconds per process."""
    client = client_for("maria")
    visibility.current_policy()
    requirements.disabled_slugs()
    custom_fields.all_fields()
    layouts.for_kind("deal")
    return client


@pytest.mark.parametrize("size", SIZES)
def test_the_pipeline_page_costs_six_queries(maria, fill, size, django_assert_num_queries):
    fill(size)

    with django_assert_num_queries(6):
        response = maria.get(reverse("reports:detail", args=["pipeline"]))

    html = response.content.decode()
    assert totals_cells(html)[2] == str(size)
    assert len(table_rows(html)) == 4


@pytest.mark.parametrize("size", SIZES)
def test_the_forecast_page_costs_six_queries(maria, fill, size, django_assert_num_queries):
    fill(size)

    with django_assert_num_queries(6):
        response = maria.get(reverse("reports:detail", args=["forecast"]))

    html = response.content.decode()
    assert totals_cells(html)[1] == str(size)
    assert len(table_rows(html)) == min(size, 4)


@pytest.mark.parametrize("size", SIZES)
def test_a_forecast_section_costs_three_queries(maria, fill, size, django_assert_num_queries):
    fill(size)

    with django_assert_num_queries(3):
        response = maria.get(reverse("reports:section", args=["forecast"]), headers=HX)

    assert totals_cells(response.content.decode())[1] == str(size)


@pytest.mark.parametrize("size", SIZES)
def test_a_drill_down_costs_two_queries(maria, fill, size, django_assert_num_queries):
    fill(size)
    url = reverse("reports:drill", args=["pipeline"]) + "?row=&col=value"

    with django_assert_num_queries(2):
        response = maria.get(url)

    assert len(listed_deals(response.content.decode())) == size


@pytest.mark.parametrize("size", SIZES)
def test_the_fix_list_costs_three_queries(maria, fill, size, django_assert_num_queries):
    fill(size, close=False)

    with django_assert_num_queries(3):
        response = maria.get(reverse("reports:fix", args=["forecast"]))

    html = response.content.decode()
    assert html.count('<tr id="fix-') == size
    assert html.count('name="expected_close"') == size
    assert f"Forecast: {size} of {size} open deals lack expected close date." in html


# ---- the open-deals scope itself -----------------------------------------------------------


def test_the_reports_open_deals_are_the_users_visible_open_deals(book, org):
    team_policy()

    for username, team in [("maria", "North"), ("ana", "North"), ("carla", "South")]:
        assert pks(open_deals(org[username], Params())) == pks(open_of(team)), username
    assert pks(open_deals(org["admin"], Params())) == pks(
        Deal.all_objects.filter(deleted_at__isnull=True, stage__is_won=False, stage__is_lost=False)
    )
