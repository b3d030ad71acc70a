"""Deal-flow reports: win rate and conversion, stale deals, slipped deals, leaderboard, changes.

Figures are checked against counts and sums taken straight from the deals in the test, the
history rows are the ones simple-history writes on each `.save()` (dated with `_history_date`),
and every report is run as the North manager, the South rep and the admin.
"""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from crm.visibility import current_policy
from deals.models import Deal
from reports import registry
from reports.base import Params
from reports.builtin.deal_flow import deal_changes, fold_undone
from tests.factories import ActivityFactory, DealFactory, PipelineFactory, StageFactory

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _now():
    """One "now" per test, so the moments a test sets up and asserts are the same ones."""
    global NOW
    NOW = timezone.now()


def ago(days=0, hours=0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def today_plus(days: int):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def stages(db):
    pipeline = PipelineFactory(name="Deals")
    return {
        "lead": StageFactory(pipeline=pipeline, name="Lead", order=1, probability=10),
        "proposal": StageFactory(pipeline=pipeline, name="Proposal", order=2, probability=50),
        "won": StageFactory(pipeline=pipeline, name="Won", order=3, probability=100, is_won=True),
        "lost": StageFactory(pipeline=pipeline, name="Lost", order=4, probability=0, is_lost=True),
    }


def make_deal(owner, stage, *, at=None, by=None, amount="10000.00", **fields) -> Deal:
    """A deal created (and its '+' history row written) at `at`, by `by` (default: its owner)."""
    at = at or NOW
    deal = DealFactory.build(
        owner=owner,
        created_by=owner,
        stage=stage,
        pipeline=stage.pipeline,
        amount=Decimal(amount),
        created_at=at,
        updated_at=at,
        **fields,
    )
    if not stage.is_open:
        deal.closed_at = fields.get("closed_at", at)
        deal.lost_reason = "Too expensive" if stage.is_lost else ""
    deal._history_date, deal._history_user = at, by or owner
    deal.save()
    return deal


def change(deal: Deal, *, at, by, **fields) -> Deal:
    """Edit a deal and save it, writing a '~' history row dated `at`."""
    for name, value in fields.items():
        setattr(deal, name, value)
    if "stage" in fields:
        deal.closed_at = None if deal.stage.is_open else at
        deal.lost_reason = "Went quiet" if deal.stage.is_lost else ""
    deal._history_date, deal._history_user = at, by
    deal.save()
    return deal


def run(slug, user, **filters):
    report = registry.get(slug)
    params = report.default_params()
    for name, value in filters.items():
        setattr(params, name, value)
    return report.run(user, params)


def drilled(slug, user, row="", column="", **filters) -> set[int]:
    report = registry.get(slug)
    params = report.default_params()
    for name, value in filters.items():
        setattr(params, name, value)
    return set(report.drill(user, params, str(row), column).values_list("pk", flat=True))


def command_json(slug, username, *params) -> dict:
    out = StringIO()
    args = [arg for p in params for arg in ("--param", p)]
    call_command("report", slug, "--user", username, *args, stdout=out)
    return json.loads(out.getvalue())


def assert_report_shape(data: dict, slug: str) -> None:
    assert {"report", "rows", "totals", "completeness"} <= set(data)
    assert data["report"] == slug
    assert isinstance(data["rows"], list)
    assert isinstance(data["totals"], dict)


# ---- win rate and conversion ---------------------------------------------------------------------


@pytest.fixture
def closed_deals(org, stages):
    """Deals won and lost within the last 90 days and before, in North and South."""
    ana, ben, carla = org["ana"], org["ben"], org["carla"]
    won, lost = stages["won"], stages["lost"]
    return {
        "ana_won_1": make_deal(ana, won, at=ago(10), amount="12000.50"),
        "ana_won_2": make_deal(ana, won, at=ago(20), amount="3000.00"),
        "ana_lost": make_deal(ana, lost, at=ago(5), amount="7000.00"),
        "ana_won_old": make_deal(ana, won, at=ago(120), amount="99000.00"),
        "ben_lost": make_deal(ben, lost, at=ago(30), amount="4000.00"),
        "ben_won": make_deal(ben, won, at=ago(2), amount="25000.00"),
        "carla_won": make_deal(carla, won, at=ago(3), amount="50000.00"),
        "ana_open": make_deal(ana, stages["proposal"], at=ago(3)),
    }


def expected_win_rate(owners, start) -> dict[int, dict]:
    """Per owner, straight from the deals: closed since `start`, won and lost."""
    figures = {}
    for owner in owners:
        closed = Deal.objects.filter(owner=owner, closed_at__gte=start)
        won = closed.filter(stage__is_won=True).aggregate(n=Count("id"), v=Sum("amount"))
        lost = closed.filter(stage__is_lost=True).aggregate(n=Count("id"), v=Sum("amount"))
        if won["n"] + lost["n"]:
            figures[owner.pk] = {
                "won": won["n"],
                "won_value": won["v"] or Decimal("0.00"),
                "lost": lost["n"],
                "lost_value": lost["v"] or Decimal("0.00"),
                "win_rate": round(100 * won["n"] / (won["n"] + lost["n"])),
            }
    return figures


def owner_rows(result) -> dict[int, dict]:
    return {r["owner_id"]: r for r in result.rows if r["kind"] == "owner"}


def test_win_rate_counts_won_and_lost_deals_closed_in_the_period_per_rep(org, closed_deals):
    maria = org["maria"]
    start = registry.get("win-rate").default_params().start_dt()

    result = run("win-rate", maria)

    rows = owner_rows(result)
    expected = expected_win_rate([org["ana"], org["ben"]], start)
    assert set(rows) == set(expected) == {org["ana"].pk, org["ben"].pk}
    for pk, figures in expected.items():
        assert {k: rows[pk][k] for k in figures} == figures
    assert rows[org["ana"].pk]["won"] == 2  # the one won 120 days ago is outside the period
    assert rows[org["ana"].pk]["won_value"] == Decimal("15000.50")
    assert rows[org["ana"].pk]["win_rate"] == 67
    assert result.totals["closed"] == 5
    assert result.totals["won"] == 3
    assert result.totals["won_value"] == Decimal("40000.50")
    assert result.totals["lost_value"] == Decimal("11000.00")
    assert result.totals["win_rate"] == 60


def test_win_rate_shows_each_viewer_only_the_deals_they_may_see(org, closed_deals):
    assert set(owner_rows(run("win-rate", org["carla"]))) == {org["carla"].pk}
    assert set(owner_rows(run("win-rate", org["maria"]))) == {org["ana"].pk, org["ben"].pk}
    assert set(owner_rows(run("win-rate", org["admin"]))) == {
        org["ana"].pk,
        org["ben"].pk,
        org["carla"].pk,
    }
    assert run("win-rate", org["carla"]).totals["won_value"] == Decimal("50000.00")


def test_win_rate_filters_narrow_to_an_owner_and_a_period(org, closed_deals):
    by_ben = run("win-rate", org["maria"], owner=org["ben"])
    assert set(owner_rows(by_ben)) == {org["ben"].pk}
    assert by_ben.totals["closed"] == 2

    last_week = run("win-rate", org["maria"], start=timezone.localdate() - timedelta(days=6)).totals
    assert (last_week["won"], last_week["lost"]) == (1, 1)  # ben's win, ana's loss


def test_win_rate_drills_to_the_deals_behind_each_figure(org, closed_deals):
    maria, ana, d = org["maria"], org["ana"], closed_deals

    assert drilled("win-rate", maria, f"owner-{ana.pk}", "won") == {
        d["ana_won_1"].pk,
        d["ana_won_2"].pk,
    }
    assert drilled("win-rate", maria, f"owner-{ana.pk}", "lost_value") == {d["ana_lost"].pk}
    assert drilled("win-rate", maria, "", "closed") == {
        d[k].pk for k in ("ana_won_1", "ana_won_2", "ana_lost", "ben_lost", "ben_won")
    }
    assert drilled("win-rate", org["carla"], "", "won") == {d["carla_won"].pk}


@pytest.fixture
def funnel(org, stages):
    """Deals created in the period that went different distances down the pipeline."""
    ana, ben, maria = org["ana"], org["ben"], org["maria"]
    lead, proposal, won, lost = (stages[k] for k in ("lead", "proposal", "won", "lost"))
    all_the_way = make_deal(ana, lead, at=ago(30))
    change(all_the_way, at=ago(20), by=ana, stage=proposal)
    change(all_the_way, at=ago(10), by=maria, stage=won)
    lost_at_proposal = make_deal(ben, lead, at=ago(25))
    change(lost_at_proposal, at=ago(15), by=ben, stage=proposal)
    change(lost_at_proposal, at=ago(5), by=ben, stage=lost)
    moved_back = make_deal(ana, proposal, at=ago(12))  # entered at Proposal, "or later" of Lead
    change(moved_back, at=ago(6), by=ana, stage=lead)
    still_lead = make_deal(ben, lead, at=ago(4))
    lost_at_once = make_deal(ana, lost, at=ago(3))
    old = make_deal(ana, lead, at=ago(200))
    change(old, at=ago(2), by=ana, stage=won)  # created before the period: not in the funnel
    make_deal(org["carla"], proposal, at=ago(3))  # South
    return {
        "all_the_way": all_the_way,
        "lost_at_proposal": lost_at_proposal,
        "moved_back": moved_back,
        "still_lead": still_lead,
        "lost_at_once": lost_at_once,
    }


def furthest_rank(deal: Deal) -> int:
    """The furthest open or won stage in the deal's history (won after every open stage)."""
    ranks = [
        (h.stage.is_won, h.stage.order)
        for h in Deal.history.filter(id=deal.pk).select_related("stage")
        if not h.stage.is_lost
    ]
    return max(ranks) if ranks else (False, -1)


def stage_rows(result) -> dict[str, dict]:
    return {r["label"].split(" › ")[1]: r for r in result.rows if r["kind"] == "stage"}


def test_conversion_counts_created_deals_that_reached_each_stage_or_later(org, stages, funnel):
    result = run("win-rate", org["maria"])

    rows = stage_rows(result)
    assert list(rows) == ["Lead", "Proposal", "Won"]  # lost is no step of the funnel
    deals = list(funnel.values())
    for name in ("lead", "proposal", "won"):
        stage = stages[name]
        expected = sum(1 for d in deals if furthest_rank(d) >= (stage.is_won, stage.order))
        assert rows[stage.name]["reached"] == expected
    assert [rows[s]["reached"] for s in ("Lead", "Proposal", "Won")] == [4, 3, 1]
    assert [rows[s]["conversion"] for s in ("Lead", "Proposal", "Won")] == [80, 60, 20]
    assert [rows[s]["step"] for s in ("Lead", "Proposal", "Won")] == [80, 75, 33]
    assert result.totals["created"] == result.totals["reached"] == 5


def test_conversion_drills_to_the_deals_that_reached_a_stage(org, stages, funnel):
    maria, f = org["maria"], funnel

    reached_proposal = drilled("win-rate", maria, f"stage-{stages['proposal'].pk}", "reached")

    assert reached_proposal == {
        f["all_the_way"].pk,
        f["lost_at_proposal"].pk,
        f["moved_back"].pk,
    }
    assert drilled("win-rate", maria, f"stage-{stages['won'].pk}", "reached") == {
        f["all_the_way"].pk
    }
    assert drilled("win-rate", maria, "", "reached") == {d.pk for d in f.values()}


def test_conversion_is_scoped_and_filtered_like_the_rest(org, stages, funnel):
    carla = stage_rows(run("win-rate", org["carla"]))
    assert [carla[s]["reached"] for s in ("Lead", "Proposal", "Won")] == [1, 1, 0]

    bens = stage_rows(run("win-rate", org["maria"], owner=org["ben"]))
    assert [bens[s]["reached"] for s in ("Lead", "Proposal", "Won")] == [2, 1, 0]


@pytest.mark.parametrize(
    ("slug", "row"),
    [
        ("win-rate", "stage-999999"),
        ("win-rate", "stage-x"),
        ("win-rate", "team-1"),
        ("win-rate", "owner-99999999999999999999999"),
        ("stale-deals", "x"),
        ("stale-deals", "99999999999999999999999"),
        ("slipped-deals", "-1"),
        ("leaderboard", "99999999999999999999999"),
        ("changes", "deleted"),
    ],
)
def test_a_forged_drill_row_is_an_error_not_a_crash(org, stages, slug, row):
    report = registry.get(slug)
    with pytest.raises(ValueError):
        report.drill(org["maria"], report.default_params(), row, report.columns[-1].key)


def test_the_lost_stage_has_no_conversion_row_to_drill(org, stages):
    report = registry.get("win-rate")
    with pytest.raises(ValueError):
        report.drill(org["maria"], report.default_params(), f"stage-{stages['lost'].pk}", "")


# ---- stale deals ---------------------------------------------------------------------------------


@pytest.fixture
def quiet_deals(org, stages):
    ana, ben, carla = org["ana"], org["ben"], org["carla"]
    lead = stages["lead"]

    def deal(owner, title, created_days_ago, amount="10000.00"):
        return make_deal(owner, lead, at=ago(created_days_ago), title=title, amount=amount)

    quiet = deal(ana, "Quiet for 20 days", 60, "1000.00")
    ActivityFactory(deal=quiet, owner=ana, kind="call", done=True, occurs_at=ago(20))
    never = deal(ben, "Never touched", 40, "2500.00")
    overdue_task = deal(ana, "Only an overdue task", 30, "4000.00")
    ActivityFactory(deal=overdue_task, owner=ana, kind="task", done=False, occurs_at=ago(16))
    recent = deal(ana, "Called this week", 60)
    ActivityFactory(deal=recent, owner=ana, kind="call", done=True, occurs_at=ago(3))
    planned = deal(ana, "Meeting next week", 60)
    ActivityFactory(deal=planned, owner=ana, kind="call", done=True, occurs_at=ago(30))
    ActivityFactory(deal=planned, owner=ana, kind="meeting", done=False, occurs_at=ago(-7))
    deal(ana, "New this week", 2)
    gone = make_deal(ana, stages["lost"], at=ago(50), title="Lost long ago")
    ActivityFactory(deal=gone, owner=ana, kind="call", done=True, occurs_at=ago(45))
    south = deal(carla, "South and quiet", 50)
    return {"quiet": quiet, "never": never, "overdue_task": overdue_task, "south": south}


def test_stale_deals_lists_open_deals_quiet_for_n_days_with_nothing_planned_oldest_first(
    org, quiet_deals
):
    result = run("stale-deals", org["maria"])

    q = quiet_deals
    assert [r["title"] for r in result.rows] == [
        "Never touched",  # quiet since it was created 40 days ago
        "Only an overdue task",  # an open task is no activity: quiet since created, 30 days
        "Quiet for 20 days",
    ]
    first = result.rows[0]
    assert first["owner"] == "Ben"
    assert first["stage"] == "Lead"
    assert first["last_activity"] is None
    assert first["days_quiet"] == 40
    assert result.rows[2]["last_activity"] == timezone.localdate(ago(20))
    expected = Deal.objects.filter(pk__in=[q["quiet"].pk, q["never"].pk, q["overdue_task"].pk])
    assert result.totals["count"] == expected.count() == 3
    assert result.totals["value"] == expected.aggregate(v=Sum("amount"))["v"] == Decimal("7500")


def test_stale_deals_days_filter_and_visibility(org, quiet_deals):
    longer = run("stale-deals", org["maria"], days=35)
    assert [r["title"] for r in longer.rows] == ["Never touched"]

    assert [r["title"] for r in run("stale-deals", org["carla"]).rows] == ["South and quiet"]
    assert run("stale-deals", org["admin"]).totals["count"] == 4
    assert run("stale-deals", org["maria"], owner=org["ana"]).totals["count"] == 2


def test_stale_deals_rows_stop_at_the_limit_but_totals_count_them_all(
    org, quiet_deals, monkeypatch
):
    from reports.builtin import deal_flow

    monkeypatch.setattr(deal_flow, "STALE_ROWS", 2)

    result = run("stale-deals", org["maria"])

    assert len(result.rows) == 2
    assert result.totals["count"] == 3
    assert result.totals["shown"] == 2


def test_stale_deals_drills_to_one_deal_or_all_of_them(org, quiet_deals):
    q = quiet_deals
    assert drilled("stale-deals", org["maria"], q["never"].pk, "value") == {q["never"].pk}
    assert drilled("stale-deals", org["maria"], "", "value") == {
        q["quiet"].pk,
        q["never"].pk,
        q["overdue_task"].pk,
    }
    assert drilled("stale-deals", org["carla"], q["never"].pk, "value") == set()


# ---- slipped deals -------------------------------------------------------------------------------


@pytest.fixture
def slipping(org, stages):
    ana, ben, carla = org["ana"], org["ben"], org["carla"]
    lead, won = stages["lead"], stages["won"]
    overdue = make_deal(ana, lead, at=ago(60), title="Overdue", expected_close=today_plus(-3))
    moved = make_deal(ben, lead, at=ago(60), title="Pushed back", expected_close=today_plus(10))
    change(moved, at=ago(5), by=ben, expected_close=today_plus(40))
    pulled_in = make_deal(ana, lead, at=ago(60), title="Pulled in", expected_close=today_plus(40))
    change(pulled_in, at=ago(5), by=ana, expected_close=today_plus(10))
    first_date = make_deal(ana, lead, at=ago(60), title="Dated at last", expected_close=None)
    change(first_date, at=ago(5), by=ana, expected_close=today_plus(10))
    long_ago = make_deal(ana, lead, at=ago(90), title="Slipped long ago", amount="500.00")
    change(long_ago, at=ago(60), by=ana, expected_close=today_plus(50))
    won_late = make_deal(ana, won, at=ago(10), title="Won late", expected_close=today_plus(-20))
    south = make_deal(carla, lead, at=ago(40), title="South late", expected_close=today_plus(-1))
    return {
        "overdue": overdue,
        "moved": moved,
        "pulled_in": pulled_in,
        "long_ago": long_ago,
        "won_late": won_late,
        "south": south,
    }


def test_slipped_deals_are_open_and_overdue_or_moved_later_in_the_period(org, slipping):
    result = run("slipped-deals", org["maria"])

    rows = {r["title"]: r for r in result.rows}
    assert list(rows) == ["Overdue", "Pushed back"]  # by expected close, earliest first
    assert rows["Overdue"]["why"] == "overdue"
    assert rows["Overdue"]["previous_close"] is None
    assert rows["Pushed back"]["why"] == "moved later"
    assert rows["Pushed back"]["previous_close"] == today_plus(10)
    assert rows["Pushed back"]["expected_close"] == today_plus(40)
    expected = Deal.objects.filter(pk__in=[slipping["overdue"].pk, slipping["moved"].pk])
    assert result.totals["count"] == 2
    assert result.totals["value"] == expected.aggregate(v=Sum("amount"))["v"]
    assert (result.totals["overdue"], result.totals["moved"]) == (1, 1)


def test_slipped_deals_period_reaches_older_moves(org, slipping):
    result = run("slipped-deals", org["maria"], start=timezone.localdate() - timedelta(days=75))

    assert {r["title"] for r in result.rows} == {"Overdue", "Pushed back", "Slipped long ago"}


def test_slipped_deals_visibility_and_owner_filter(org, slipping):
    assert [r["title"] for r in run("slipped-deals", org["carla"]).rows] == ["South late"]
    assert run("slipped-deals", org["admin"]).totals["count"] == 3
    by_ben = run("slipped-deals", org["maria"], owner=org["ben"])
    assert [r["title"] for r in by_ben.rows] == ["Pushed back"]


def test_slipped_deals_drill_and_needs_no_close_date_filled(org, slipping):
    s = slipping
    assert drilled("slipped-deals", org["maria"], "", "value") == {s["overdue"].pk, s["moved"].pk}
    assert drilled("slipped-deals", org["maria"], s["moved"].pk, "value") == {s["moved"].pk}

    report = registry.get("slipped-deals")
    assert report.requires == {}
    assert run("slipped-deals", org["maria"]).completeness is None


# ---- leaderboard ---------------------------------------------------------------------------------


def test_leaderboard_ranks_reps_by_won_value_in_the_period(org, closed_deals):
    result = run("leaderboard", org["maria"])

    start = registry.get("leaderboard").default_params().start_dt()
    won = (
        Deal.objects.filter(owner__team__name="North", stage__is_won=True, closed_at__gte=start)
        .values("owner__username")
        .annotate(n=Count("id"), v=Sum("amount"))
        .order_by("-v")
    )
    assert [(r["owner"], r["won_count"], r["won_value"]) for r in result.rows] == [
        (w["owner__username"].capitalize(), w["n"], w["v"]) for w in won
    ]
    assert [(r["rank"], r["owner"]) for r in result.rows] == [(1, "Ben"), (2, "Ana")]
    assert result.totals == {"won_count": 3, "won_value": Decimal("40000.50")}


def test_leaderboard_visibility_and_team_filter(org, closed_deals):
    assert [r["owner"] for r in run("leaderboard", org["carla"]).rows] == ["Carla"]
    everyone = run("leaderboard", org["admin"])
    assert [r["owner"] for r in everyone.rows] == ["Carla", "Ben", "Ana"]
    south = run("leaderboard", org["admin"], team=org["carla"].team)
    assert [r["owner"] for r in south.rows] == ["Carla"]


def test_leaderboard_drills_to_a_reps_won_deals(org, closed_deals):
    d = closed_deals
    assert drilled("leaderboard", org["maria"], org["ana"].pk, "won_value") == {
        d["ana_won_1"].pk,
        d["ana_won_2"].pk,
    }
    assert drilled("leaderboard", org["maria"], "", "won_count") == {
        d["ana_won_1"].pk,
        d["ana_won_2"].pk,
        d["ben_won"].pk,
    }


# ---- what changed --------------------------------------------------------------------------------


@pytest.fixture
def history(org, stages):
    ana, ben, maria, carla = org["ana"], org["ben"], org["maria"], org["carla"]
    lead, proposal, won, lost = (stages[k] for k in ("lead", "proposal", "won", "lost"))
    alpha = make_deal(
        ana, lead, at=ago(10), title="Alpha", amount="1000.00", expected_close=today_plus(30)
    )
    change(alpha, at=ago(5), by=maria, stage=proposal)
    change(alpha, at=ago(3), by=ana, amount=Decimal("1500.00"), expected_close=today_plus(45))
    change(alpha, at=ago(1), by=ana, stage=won)
    beta = make_deal(ben, lead, at=ago(2), title="Beta")
    gamma = make_deal(ana, lead, at=ago(20), title="Gamma", amount="800.00")
    change(gamma, at=ago(9), by=ana, amount=Decimal("900.00"))  # before the default 7 days
    change(gamma, at=ago(0, hours=4), by=ana, stage=lost)
    south = make_deal(carla, lead, at=ago(1, hours=2), title="South news")
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "south": south}


def test_changes_lists_each_change_since_the_date_newest_first(org, history):
    result = run("changes", org["maria"])

    assert [(r["kind"], r["deal"], r["from"], r["to"], r["by"]) for r in result.rows] == [
        ("lost", "Gamma", "Lead", "Lost", "Ana"),
        ("won", "Alpha", "Proposal", "Won", "Ana"),
        ("new", "Beta", None, "Lead", "Ben"),
        ("amount", "Alpha", Decimal("1000.00"), Decimal("1500.00"), "Ana"),
        ("close_date", "Alpha", today_plus(30), today_plus(45), "Ana"),
        ("stage", "Alpha", "Lead", "Proposal", "Maria"),
    ]
    assert result.rows[-1]["when"] == timezone.localtime(ago(5)).strftime("%Y-%m-%d %H:%M")
    assert result.totals == {
        "changes": 6,
        "new": 1,
        "stage": 1,
        "won": 1,
        "lost": 1,
        "amount": 1,
        "close_date": 1,
        "shown": 6,
    }


def test_changes_compare_each_row_with_the_one_just_before_even_at_the_same_moment(org, stages):
    """Rows saved at one moment are ordered by their history id: each move is compared with the
    move just before it, not with any earlier one."""
    deal = make_deal(org["ana"], stages["lead"], at=ago(3), title="Busy")
    for stage in ("proposal", "lead", "proposal"):
        change(deal, at=ago(1), by=org["ana"], stage=stages[stage])
    change(deal, at=ago(1), by=org["ana"], stage=stages["won"])

    changes = deal_changes(org["maria"], Params(), since=ago(2))

    # Lead → Proposal → Lead folds away (a move taken back); what is left happened in order.
    assert [(c["kind"], c["from"], c["to"]) for c in changes] == [
        ("won", "Proposal", "Won"),
        ("stage", "Lead", "Proposal"),
    ]


def test_deal_changes_takes_any_moment_for_meetings(org, history):
    changes = deal_changes(org["maria"], Params(), since=ago(2, hours=12))

    assert [(c["kind"], c["deal_id"]) for c in changes] == [
        ("lost", history["gamma"].pk),
        ("won", history["alpha"].pk),
        ("new", history["beta"].pk),
    ]
    assert changes[0]["when"] == ago(0, hours=4)
    assert changes[0]["what"] == "Lost"


def test_changes_are_scoped_and_filtered(org, history, north_records):
    carla = run("changes", org["carla"])
    assert [(r["kind"], r["deal"]) for r in carla.rows] == [("new", "South news")]

    admin = run("changes", org["admin"])
    assert {r["deal"] for r in admin.rows} == {
        "Alpha",
        "Beta",
        "Gamma",
        "South news",
        "Nordwind rollout",
    }

    by_ben = run("changes", org["maria"], owner=org["ben"])
    assert [(r["kind"], r["deal"]) for r in by_ben.rows] == [("new", "Beta")]

    longer = run("changes", org["maria"], since=timezone.localdate() - timedelta(days=9))
    assert ("amount", "Gamma") in {(r["kind"], r["deal"]) for r in longer.rows}


def test_changes_drill_lists_the_deals_with_one_kind_of_change(org, history):
    h = history
    assert drilled("changes", org["maria"], "stage", "what") == {h["alpha"].pk}
    assert drilled("changes", org["maria"], "new", "what") == {h["beta"].pk}
    assert drilled("changes", org["maria"], "", "what") == {
        h["alpha"].pk,
        h["beta"].pk,
        h["gamma"].pk,
    }
    assert drilled("changes", org["carla"], "new", "what") == {h["south"].pk}


# ---- the command ---------------------------------------------------------------------------------


def test_report_command_prints_deal_reports_as_json(org, closed_deals, quiet_deals, history):
    for slug in ("win-rate", "stale-deals", "slipped-deals", "leaderboard", "changes"):
        assert_report_shape(command_json(slug, "maria"), slug)

    leaderboard = command_json("leaderboard", "maria")
    assert leaderboard["rows"][0] == {
        "owner_id": org["ben"].pk,
        "owner": "Ben",
        "won_count": 1,
        "won_value": "25000.00",
        "rank": 1,
    }
    assert leaderboard["completeness"] is None

    stale = command_json("stale-deals", "carla", "days=10")
    assert [r["title"] for r in stale["rows"]] == ["South and quiet"]
    assert stale["totals"]["value"] == "10000.00"


def test_report_command_passes_the_since_filter_to_changes(org, history):
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    changes = command_json("changes", "maria", f"since={since}")
    assert [r["kind"] for r in changes["rows"]] == ["lost", "won", "new"]
    assert changes["rows"][1]["from"] == "Proposal"


# ---- the pages -----------------------------------------------------------------------------------


def test_deal_report_pages_link_each_figure_to_its_deals(client_for, org, closed_deals, history):
    client = client_for("maria")
    d, h = closed_deals, history
    cases = [
        ("win-rate", f"owner-{org['ben'].pk}", "won", d["ben_won"], d["ana_won_1"]),
        ("leaderboard", org["ana"].pk, "won_value", d["ana_won_2"], d["ben_won"]),
        ("changes", "won", "what", h["alpha"], h["beta"]),
    ]
    for slug, row, column, behind, other in cases:
        page = client.get(reverse("reports:detail", args=[slug]))
        assert page.status_code == 200
        assert f"row={row}&amp;col={column}" in page.content.decode()
        records = client.get(reverse("reports:drill", args=[slug]), {"row": row, "col": column})
        assert records.status_code == 200
        body = records.content.decode()
        assert f">{behind.title}</a>" in body
        assert f">{other.title}</a>" not in body
        assert f">{d['carla_won'].title}</a>" not in body

    bad = client.get(reverse("reports:drill", args=["win-rate"]), {"row": "stage-x", "col": "won"})
    assert bad.status_code == 404


# ---- queries do not grow with rows -----------------------------------------------------------


def many(org, stages, n, build):
    """n deals over several owners, every relation filled (company, contacts, activities)."""
    owners = [org["ana"], org["ben"], org["maria"]]
    return [build(owners[i % len(owners)], i) for i in range(n)]


def with_relations(deal: Deal) -> Deal:
    from tests.factories import CompanyFactory, ContactFactory

    company = CompanyFactory(owner=deal.owner)
    deal.company = company
    deal.save()
    deal.contacts.add(ContactFactory(owner=deal.owner, company=company))
    return deal


def measure(django_assert_num_queries, slug, user, expected_queries, **filters):
    current_policy()  # the visibility policy is cached per process; read it before counting
    report = registry.get(slug)
    params = report.default_params()
    for name, value in filters.items():
        setattr(params, name, value)
    with django_assert_num_queries(expected_queries):
        return report.run(user, params)


@pytest.mark.parametrize("n", [1, 20])
def test_win_rate_queries_do_not_grow_with_deals(org, stages, n, django_assert_num_queries):
    def build(owner, i):
        deal = with_relations(make_deal(owner, stages["lead"], at=ago(30)))
        change(deal, at=ago(20), by=owner, stage=stages["proposal"])
        return change(deal, at=ago(10), by=owner, stage=stages["won" if i % 2 else "lost"])

    many(org, stages, n, build)

    result = measure(django_assert_num_queries, "win-rate", org["maria"], 3)

    assert len(result.rows) == min(n, 3) + 3  # one row per rep, one per funnel stage
    assert result.totals["closed"] == n


@pytest.mark.parametrize("n", [1, 20])
def test_stale_deals_queries_do_not_grow_with_deals(org, stages, n, django_assert_num_queries):
    def build(owner, i):
        deal = with_relations(make_deal(owner, stages["lead"], at=ago(40)))
        ActivityFactory(deal=deal, owner=owner, kind="call", done=True, occurs_at=ago(20 + i))
        ActivityFactory(deal=deal, owner=owner, kind="task", done=False, occurs_at=ago(16))
        return deal

    many(org, stages, n, build)

    result = measure(django_assert_num_queries, "stale-deals", org["maria"], 1)

    assert len(result.rows) == n
    assert result.totals["count"] == n


@pytest.mark.parametrize("n", [1, 20])
def test_slipped_deals_queries_do_not_grow_with_deals(org, stages, n, django_assert_num_queries):
    def build(owner, i):
        deal = with_relations(
            make_deal(owner, stages["lead"], at=ago(40), expected_close=today_plus(5))
        )
        close = today_plus(20) if i % 2 else today_plus(-2)
        return change(deal, at=ago(3), by=owner, expected_close=close)

    many(org, stages, n, build)

    result = measure(django_assert_num_queries, "slipped-deals", org["maria"], 2)

    assert len(result.rows) == n
    assert result.totals["moved"] == n // 2


@pytest.mark.parametrize("n", [1, 20])
def test_leaderboard_queries_do_not_grow_with_deals(org, stages, n, django_assert_num_queries):
    many(
        org, stages, n, lambda owner, i: with_relations(make_deal(owner, stages["won"], at=ago(i)))
    )

    result = measure(django_assert_num_queries, "leaderboard", org["maria"], 1)

    assert len(result.rows) == min(n, 3)
    assert result.totals["won_count"] == n


@pytest.mark.parametrize("n", [1, 20])
def test_changes_queries_do_not_grow_with_deals(org, stages, n, django_assert_num_queries):
    def build(owner, i):
        deal = with_relations(make_deal(owner, stages["lead"], at=ago(2)))
        return change(deal, at=ago(1), by=owner, stage=stages["proposal"], amount=Decimal(i + 1))

    many(org, stages, n, build)

    result = measure(django_assert_num_queries, "changes", org["maria"], 2)

    # with_relations saves once more (company set): no stage, amount or date changed there
    assert len(result.rows) == 3 * n  # new, stage moved, amount changed
    assert result.totals["changes"] == 3 * n


def _move(client, deal, stage, **extra):
    deal.refresh_from_db()
    return client.post(
        reverse("deals:move", args=[deal.pk]),
        {"stage": stage.pk, "version": deal.version, "from_stage": deal.stage_id, **extra},
    )


def test_changes_fold_a_move_and_its_undo_into_no_change(client_for, org, stages):
    """Moved by mistake and undone with the Undo of its message: over the period, nothing
    happened to that deal. A move that stays is listed."""
    client = client_for("maria")
    undone = make_deal(org["ana"], stages["lead"], at=ago(10), title="Undone pilot")
    kept = make_deal(org["ana"], stages["lead"], at=ago(10), title="Kept rollout")

    assert _move(client, undone, stages["proposal"]).status_code == 302
    assert _move(client, undone, stages["lead"], undo="1").status_code == 302
    assert _move(client, kept, stages["proposal"]).status_code == 302
    undone.refresh_from_db()
    assert undone.stage == stages["lead"]
    assert undone.history.count() == 3  # created, moved, moved back: the history keeps all

    client.get(reverse("deals:board"))  # shows (and so clears) the moves' messages
    page = client.get(reverse("reports:detail", args=["changes"])).content.decode()
    assert "Kept rollout" in page
    assert "Undone pilot" not in page
    rows = run("changes", org["maria"]).rows
    assert [(r["kind"], r["deal"], r["from"], r["to"]) for r in rows] == [
        ("stage", "Kept rollout", "Lead", "Proposal")
    ]


def test_changes_fold_only_what_was_taken_back():
    """A→B→C→B leaves A→B; an amount put back vanishes while the stage move stays."""
    rows = [
        {"deal_id": 1, "kind": "stage", "from": "C", "to": "B"},
        {"deal_id": 1, "kind": "amount", "from": 2, "to": 1},
        {"deal_id": 1, "kind": "stage", "from": "B", "to": "C"},
        {"deal_id": 1, "kind": "amount", "from": 1, "to": 2},
        {"deal_id": 1, "kind": "stage", "from": "A", "to": "B"},
        {"deal_id": 2, "kind": "stage", "from": "B", "to": "A"},
    ]
    assert fold_undone(rows) == [rows[4], rows[5]]


def test_stale_deals_read_activities_from_indexes_that_hold_their_owner(org, quiet_deals):
    """contacts 0011: whether an activity counts depends on its owner (visibility), so the
    indexes the report reads hold the owner. SQLite reads "done lately" and "planned" as two
    ranges of a partial (done, occurs_at, deal_id, owner_id) index, and each deal's last activity
    from its (deal_id, done, occurs_at, owner_id, deleted_at) index; PostgreSQL's partial range
    index INCLUDEs the owner and replaces 0010's."""
    from django.db import connection

    from reports.builtin.deal_flow import stale_deals, with_last_activity

    query = with_last_activity(stale_deals(org["maria"], Params()), org["maria"]).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[-1] for row in cursor.fetchall()]
            # Every read of activities: by a table scan or by any of its indexes.
            reads = [line for line in plan if "activity" in line or "contacts_ac" in line]
            ranges = [line for line in reads if "(done=? AND occurs_at>?" in line]
            per_deal = [line for line in reads if "(deal_id=? AND done=?" in line]
            assert len(ranges) == 2 and all("activity_done_when_deal" in x for x in ranges), plan
            assert per_deal and all(
                "COVERING INDEX activity_deal_done_when_visible" in x for x in per_deal
            ), plan
            assert len(ranges) + len(per_deal) == len(reads), plan
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'contacts_activity'"
            )
            indexes = dict(cursor.fetchall())
            assert "activity_deal_done_when" not in indexes  # 0010's, replaced
            assert (
                "(done, occurs_at, deal_id) INCLUDE (owner_id)"
                in (indexes["activity_deal_done_when_owner"])
            )
            assert "activity_deal_done_when_visible" not in indexes  # SQLite's shapes
            assert "activity_done_when_deal" not in indexes
