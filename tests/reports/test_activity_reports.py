"""Activity per rep per week, data completeness, adoption, and the last-seen stamp behind it.

Figures are checked against counts made here independently (from the activities and records
themselves, never from the rollup); visibility against the demo-shaped org: carla (South) never
sees North, maria (North's manager) sees North, the admin sees everyone.
"""

import html
import json
import re
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Contact
from crm import requirements, visibility
from crm.middleware import LAST_SEEN_EVERY, LastSeenMiddleware
from crm.models import ReportSwitch, Team, User
from crm.records import record_delete, record_update
from reports import registry
from reports.base import Params
from reports.builtin.activity import _checked_reports
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    StageFactory,
    UserFactory,
)

WEEK1, WEEK2 = date(2026, 11, 9), date(2026, 11, 16)  # two ISO weeks (Mondays)
PERIOD = Params(start=WEEK1, end=WEEK2 + timedelta(days=6))
PERIOD_QUERY = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}
NORTH, SOUTH = {"maria", "ana", "ben"}, {"carla", "sam"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def run(slug: str, user, params: Params | None = None):
    report = registry.get(slug)
    return report.run(user, params or PERIOD)


def owners_of(rows) -> set[str]:
    return {User.objects.get(pk=r["owner_id"]).username for r in rows}


@pytest.fixture
def week_activities(org):
    """Activities of every kind for North and South over the two weeks, and some that must not
    count: before the period (Sunday 23:30), deleted, and an open task."""
    made = {}

    def add(name, owner, kind, when, done=True):
        made[name] = ActivityFactory(
            subject=name, owner=org[owner], kind=kind, occurs_at=when, done=done
        )

    add("ana call 1", "ana", "call", at(WEEK1, 9))
    add("ana call 2", "ana", "call", at(WEEK1 + timedelta(days=2), 15))
    add("ana meeting", "ana", "meeting", at(WEEK1 + timedelta(days=3), 10), done=False)
    add("ana task done", "ana", "task", at(WEEK1 + timedelta(days=4), 11))
    add("ana task open", "ana", "task", at(WEEK1 + timedelta(days=4), 12), done=False)
    add("ana note", "ana", "note", at(WEEK1 + timedelta(days=6), 23, 30))
    add("ana email", "ana", "email", at(WEEK1 + timedelta(days=1), 8))
    add("ana deleted call", "ana", "call", at(WEEK1, 10))
    add("ana call week 2", "ana", "call", at(WEEK2, 9))
    add("ben call at 00:30", "ben", "call", at(WEEK1, 0, 30))
    add("ben call before", "ben", "call", at(WEEK1 - timedelta(days=1), 23, 30))
    add("maria meeting", "maria", "meeting", at(WEEK2 + timedelta(days=2), 14))
    add("carla call 1", "carla", "call", at(WEEK1, 9))
    add("carla call 2", "carla", "call", at(WEEK1, 10))
    add("sam email", "sam", "email", at(WEEK2, 16))
    add("after the period", "ana", "call", at(WEEK2 + timedelta(days=7), 9))
    record_delete(record=made["ana deleted call"], by=org["ana"])
    return made


def counted(owner, monday: date, **conditions) -> int:
    """An independent count, straight from the activities."""
    return Activity.objects.filter(
        owner=owner,
        occurs_at__gte=at(monday, 0),
        occurs_at__lt=at(monday + timedelta(days=7), 0),
        **conditions,
    ).count()


# ---- activity per rep per week -------------------------------------------------------------------


def test_the_activity_figures_equal_counts_of_the_activities(org, week_activities):
    rows, totals = run("activity", org["admin"]).rows, run("activity", org["admin"]).totals

    assert {(r["owner_id"], r["week"]) for r in rows} == {
        (org["ana"].pk, "2026-11-09"),
        (org["ana"].pk, "2026-11-16"),
        (org["ben"].pk, "2026-11-09"),
        (org["maria"].pk, "2026-11-16"),
        (org["carla"].pk, "2026-11-09"),
        (org["sam"].pk, "2026-11-16"),
    }
    for row in rows:
        owner, monday = User.objects.get(pk=row["owner_id"]), date.fromisoformat(row["week"])
        expected = {
            "calls": counted(owner, monday, kind="call"),
            "meetings": counted(owner, monday, kind="meeting"),
            "tasks_done": counted(owner, monday, kind="task", done=True),
            "notes": counted(owner, monday, kind="note"),
            "emails": counted(owner, monday, kind="email"),
        }
        assert {k: row[k] for k in expected} == expected, row
        assert row["total"] == sum(expected.values())
    ana_week1 = next(r for r in rows if r["key"] == f"{org['ana'].pk}:2026-11-09")
    assert (ana_week1["calls"], ana_week1["tasks_done"], ana_week1["total"]) == (2, 1, 6)
    ben_week1 = next(r for r in rows if r["owner_id"] == org["ben"].pk)
    assert ben_week1["calls"] == 1  # 00:30 on Monday is Monday; Sunday 23:30 is out
    assert totals["calls"] == 6 and totals["total"] == 12


def test_carla_never_sees_north_maria_sees_north_and_the_admin_everyone(org, week_activities):
    assert owners_of(run("activity", org["carla"]).rows) == SOUTH
    assert owners_of(run("activity", org["sam"]).rows) == SOUTH
    assert owners_of(run("activity", org["maria"]).rows) == NORTH
    assert owners_of(run("activity", org["admin"]).rows) == NORTH | SOUTH
    assert run("activity", org["carla"]).totals["calls"] == 2


def test_the_team_and_owner_filters_narrow_but_never_widen(org, week_activities):
    north, south = Team.objects.get(name="North"), Team.objects.get(name="South")

    as_admin = run("activity", org["admin"], Params(PERIOD.start, PERIOD.end, team=north)).rows
    as_maria = run("activity", org["maria"], Params(PERIOD.start, PERIOD.end, team=south)).rows
    only_ben = run("activity", org["admin"], Params(PERIOD.start, PERIOD.end, owner=org["ben"]))

    assert owners_of(as_admin) == NORTH
    assert as_maria == []
    assert owners_of(only_ben.rows) == {"ben"}


def test_a_week_cut_by_the_period_counts_only_the_days_inside_it(org, week_activities):
    params = Params(start=WEEK1 + timedelta(days=1), end=WEEK1 + timedelta(days=6))

    rows = run("activity", org["maria"], params).rows

    ana = next(r for r in rows if r["owner_id"] == org["ana"].pk)
    assert (ana["calls"], ana["emails"]) == (1, 1)  # Monday's call is outside
    assert not any(r["owner_id"] == org["ben"].pk for r in rows)


def drill_links(body: str) -> dict[tuple[str, str], str]:
    """(row, col) -> drill URL, from the rendered report."""
    links = {}
    for href in re.findall(r'href="([^"]*/drill/\?[^"]*)"', body):
        url = html.unescape(href)
        row = re.search(r"[?&]row=([^&]*)", url).group(1).replace("%3A", ":")
        col = re.search(r"[?&]col=([^&]*)", url).group(1)
        links[(row, col)] = url
    return links


def test_a_figure_drills_to_that_owners_activities_of_that_week(client_for, org, week_activities):
    client = client_for("maria")
    body = client.get(reverse("reports:detail", args=["activity"]), PERIOD_QUERY)
    links = drill_links(body.content.decode())

    calls = client.get(links[(f"{org['ana'].pk}:2026-11-09", "calls")]).content.decode()
    every = client.get(links[(f"{org['ana'].pk}:2026-11-09", "total")]).content.decode()

    assert "ana call 1" in calls and "ana call 2" in calls
    for absent in ("ana call week 2", "ana deleted call", "ana meeting", "ben call", "carla"):
        assert absent not in calls
    for present in ("ana call 1", "ana meeting", "ana task done", "ana note", "ana email"):
        assert present in every
    assert "ana task open" not in every  # open tasks are not counted, so not listed
    assert (rendered_rows(calls), rendered_rows(every)) == (2, 6)


def test_the_drill_of_a_north_week_shows_carla_and_sam_nothing(org, week_activities):
    report = registry.get("activity")
    row = f"{org['ana'].pk}:2026-11-09"

    for outsider in ("carla", "sam"):
        assert not report.drill(org[outsider], PERIOD, row, "calls").exists()
    assert report.drill(org["maria"], PERIOD, row, "calls").count() == 2
    assert (
        set(report.drill(org["sam"], PERIOD, "", "total").values_list("owner__username", flat=True))
        == SOUTH
    )


def test_a_rep_cannot_open_the_activity_report(client_for, org, week_activities):
    client = client_for("carla")

    assert client.get(reverse("reports:detail", args=["activity"])).status_code == 404
    assert client.get(reverse("reports:drill", args=["activity"])).status_code == 404


@pytest.mark.parametrize(
    "slug, row, col",
    [
        ("activity", "nonsense", "calls"),
        ("activity", "3:2026-11-10", "calls"),  # not a Monday
        ("activity", "1:2:3", "calls"),
        ("activity", "99999999999999999999999:2026-11-09", "calls"),
        ("completeness", "forecast", "incomplete"),
        ("completeness", "no-such-report:1", "incomplete"),
        ("completeness", "forecast:99999999999999999999999", "incomplete"),
        ("adoption", "ana", "contacts_created"),
        ("adoption", "99999999999999999999999", "contacts_created"),
        ("adoption", "1", "owner"),  # not a figure
    ],
)
def test_a_forged_drill_row_is_not_found(client_for, org, slug, row, col):
    response = client_for("admin").get(
        reverse("reports:drill", args=[slug]), {"row": row, "col": col}
    )

    assert response.status_code == 404


def test_the_report_command_prints_the_activity_of_maria_s_team_as_json(org):
    now = timezone.now()
    ActivityFactory(owner=org["ana"], kind="call", occurs_at=now)
    ActivityFactory(owner=org["ben"], kind="task", done=True, occurs_at=now)
    ActivityFactory(owner=org["carla"], kind="call", occurs_at=now)
    buf = StringIO()

    call_command("report", "activity", "--user", "maria", stdout=buf)

    data = json.loads(buf.getvalue())
    assert set(data) == {"report", "title", "rows", "totals", "completeness"}
    assert data["report"] == "activity" and data["completeness"] is None
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert {(r["owner"], r["week"]) for r in data["rows"]} == {
        ("Ana", monday.isoformat()),
        ("Ben", monday.isoformat()),
    }
    assert set(data["rows"][0]) >= {
        "owner",
        "week",
        "calls",
        "meetings",
        "tasks_done",
        "notes",
        "emails",
        "total",
    }
    assert data["totals"] == {
        "calls": 1,
        "meetings": 0,
        "tasks_done": 1,
        "notes": 0,
        "emails": 0,
        "total": 2,
    }


# ---- data completeness ---------------------------------------------------------------------------


@pytest.fixture
def open_deals(org):
    stage = StageFactory(name="Qualified")
    no_close = {"expected_close": None}
    for owner, gaps in (("ana", [no_close, {}, {}]), ("ben", [{}, {}]), ("carla", [no_close, {}])):
        for i, gap in enumerate(gaps):
            DealFactory(title=f"{owner} deal {i}", owner=org[owner], stage=stage, **gap)


def forecast_rows(rows) -> dict[str, dict]:
    return {User.objects.get(pk=r["owner_id"]).username: r for r in rows if r["slug"] == "forecast"}


def test_completeness_per_rep_adds_up_to_the_reports_own_completeness(org, open_deals):
    result = run("completeness", org["maria"], Params())
    rows = forecast_rows(result.rows)
    own = registry.get("forecast").completeness(org["maria"], Params())

    assert set(rows) == {"ana", "ben"}
    assert {k: rows["ana"][k] for k in ("records", "complete", "incomplete", "percent")} == {
        "records": 3,
        "complete": 2,
        "incomplete": 1,
        "percent": 67,
    }
    assert rows["ben"]["percent"] == 100
    assert rows["ana"]["report_percent"] == own.percent == 80
    assert result.totals["reports"]["forecast"]["records"] == own.total == 5


def test_completeness_visibility_carla_sam_admin(org, open_deals):
    assert set(forecast_rows(run("completeness", org["carla"], Params()).rows)) == {"carla"}
    assert set(forecast_rows(run("completeness", org["admin"], Params()).rows)) == {
        "ana",
        "ben",
        "carla",
    }


def test_completeness_drills_to_the_fix_list_records_of_that_owner(org, open_deals):
    report = registry.get("completeness")

    ana = report.drill(org["maria"], Params(), f"forecast:{org['ana'].pk}", "incomplete")
    carla_seen_by_maria = report.drill(
        org["maria"], Params(), f"forecast:{org['carla'].pk}", "incomplete"
    )

    assert list(ana.values_list("title", flat=True)) == ["ana deal 0"]
    assert not carla_seen_by_maria.exists()


def test_a_report_switched_off_leaves_the_completeness_report(org, open_deals):
    ReportSwitch.objects.create(slug="forecast", enabled=False)

    rows = run("completeness", org["admin"], Params()).rows

    assert not forecast_rows(rows)


# ---- adoption --------------------------------------------------------------------------------


@pytest.fixture
def usage(org, week_activities):
    """ana created two contacts in the period and one before it; ben changed one of them."""
    for i, day in enumerate((WEEK1, WEEK2 + timedelta(days=6), WEEK1 - timedelta(days=1))):
        ContactFactory(
            last_name=f"Made{i}", owner=org["ana"], created_by=org["ana"], created_at=at(day, 12)
        )
    company = CompanyFactory(owner=org["carla"], created_by=org["carla"], created_at=at(WEEK1, 9))
    changed = Contact.objects.get(last_name="Made0")
    changed.job_title = "Buyer"
    record_update(record=changed, by=org["ben"], fields=["job_title"])
    Contact.objects.filter(pk=changed.pk).update(updated_at=at(WEEK2, 9))
    User.objects.filter(pk=org["ana"].pk).update(last_seen=at(WEEK2, 9, 41))
    return {"changed": changed, "company": company}


def by_user(rows) -> dict[str, dict]:
    return {r["username"]: r for r in rows}


def test_adoption_counts_what_each_user_created_changed_and_logged(org, usage):
    rows = by_user(run("adoption", org["admin"]).rows)

    assert rows["ana"]["contacts_created"] == 2
    assert rows["ben"]["contacts_updated"] == 1
    assert rows["ana"]["contacts_updated"] == 0  # creating is not changing
    assert rows["carla"]["companies_created"] == 1
    logged = Activity.objects.filter(
        owner=org["ana"],
        occurs_at__gte=at(PERIOD.start, 0),
        occurs_at__lt=at(WEEK2, 0) + timedelta(days=7),
    ).count()
    assert rows["ana"]["activities_logged"] == logged == 8
    assert rows["ana"]["last_seen"] == at(WEEK2, 9, 41)
    # Activities count once, as logged (from the rollup), not again as created and changed.
    assert "activities_created" not in rows["ana"]


def test_adoption_rows_are_the_viewers_people(org, usage):
    assert set(by_user(run("adoption", org["admin"]).rows)) == NORTH | SOUTH | {"admin"}
    assert set(by_user(run("adoption", org["maria"]).rows)) == NORTH
    assert set(by_user(run("adoption", org["sam"]).rows)) == SOUTH
    assert set(by_user(run("adoption", org["carla"]).rows)) == {"carla"}  # e.g. the command


def test_adoption_drills_to_the_records_behind_a_figure(org, usage):
    report = registry.get("adoption")

    created = report.drill(org["maria"], PERIOD, str(org["ana"].pk), "contacts_created")
    changed = report.drill(org["maria"], PERIOD, str(org["ben"].pk), "contacts_updated")
    carla_company = report.drill(org["maria"], PERIOD, str(org["carla"].pk), "companies_created")

    assert set(created.values_list("last_name", flat=True)) == {"Made0", "Made1"}
    assert list(changed) == [usage["changed"]]
    assert not carla_company.exists()


def test_adoption_figures_link_to_tables_of_those_records(client_for, org, usage):
    client = client_for("maria")
    body = client.get(reverse("reports:detail", args=["adoption"]), PERIOD_QUERY).content.decode()
    link = drill_links(body)[(str(org["ana"].pk), "contacts_created")]

    records = client.get(link).content.decode()

    assert rendered_rows(records) == 2
    assert "Pat Made0" in records and "Pat Made1" in records and "Made2" not in records


def test_adoption_is_for_managers_and_the_admin(client_for, org, usage):
    assert client_for("ana").get(reverse("reports:detail", args=["adoption"])).status_code == 404
    body = client_for("maria").get(reverse("reports:detail", args=["adoption"]), PERIOD_QUERY)
    assert body.status_code == 200
    assert "Carla" not in body.content.decode()


# ---- query counts ----------------------------------------------------------------------------

SIZES = [1, 20]


@pytest.fixture
def maria(client_for):
    client = client_for("maria")
    visibility.current_policy()  # cached per process, as for nearly every real request
    requirements.disabled_slugs()
    return client


def rendered_rows(body: str) -> int:
    tbody = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return tbody.count("<tr><td>")


def north_people(org, n: int) -> list:
    """n owners in North: ana, then more reps as needed."""
    north = Team.objects.get(name="North")
    extra = [UserFactory(username=f"rep{i:02}", team=north) for i in range(n - 1)]
    return [org["ana"], *extra]


@pytest.mark.parametrize("size", SIZES)
def test_the_activity_report_reads_a_constant_number_of_queries(
    maria, org, size, django_assert_num_queries
):
    people = north_people(org, 4 if size == 20 else 1)
    weeks = 5 if size == 20 else 1
    for person in people:
        for w in range(weeks):
            for kind in ("call", "meeting", "task", "note", "email"):
                ActivityFactory(
                    owner=person, kind=kind, done=True, occurs_at=at(WEEK1 + timedelta(weeks=w), 10)
                )
    ActivityFactory(owner=org["carla"], kind="call", occurs_at=at(WEEK1, 10))
    query = {"start": WEEK1.isoformat(), "end": (WEEK1 + timedelta(weeks=5, days=-1)).isoformat()}

    with django_assert_num_queries(4):
        response = maria.get(reverse("reports:detail", args=["activity"]), query)

    assert rendered_rows(response.content.decode()) == size


@pytest.mark.parametrize("size", SIZES)
def test_the_completeness_report_reads_a_constant_number_of_queries(
    maria, org, size, django_assert_num_queries
):
    for other in _checked_reports():
        if other.slug != "forecast":
            ReportSwitch.objects.create(slug=other.slug, enabled=False)
    requirements.disabled_slugs()
    stage = StageFactory(name="Qualified")
    for person in north_people(org, size):
        company = CompanyFactory(owner=person)
        DealFactory(owner=person, company=company, stage=stage)
        DealFactory(owner=person, company=company, stage=stage, expected_close=None)
    DealFactory(owner=org["carla"], stage=stage, expected_close=None)

    with django_assert_num_queries(4):
        response = maria.get(reverse("reports:detail", args=["completeness"]))

    assert rendered_rows(response.content.decode()) == size


@pytest.mark.parametrize("size", SIZES)
def test_the_adoption_report_reads_a_constant_number_of_queries(
    client_for, org, size, django_assert_num_queries
):
    """A manager of a team of `size` people (themselves included), each with every record."""
    east = Team.objects.create(name="East")
    mo = UserFactory(username="mo", role=User.Role.MANAGER, team=east)
    east.managers.add(mo)
    people = [mo, *(UserFactory(username=f"east{i:02}", team=east) for i in range(size - 1))]
    for person in people:
        mine = {"owner": person, "created_by": person, "created_at": at(WEEK1, 9)}
        company = CompanyFactory(**mine)
        ContactFactory(company=company, **mine)
        DealFactory(company=company, **mine)
        ActivityFactory(occurs_at=at(WEEK1, 10), **mine)
    CompanyFactory(owner=org["carla"], created_by=org["carla"], created_at=at(WEEK1, 9))
    client = client_for("maria")
    client.force_login(mo)
    visibility.current_policy()
    requirements.disabled_slugs()

    with django_assert_num_queries(8):
        response = client.get(reverse("reports:detail", args=["adoption"]), PERIOD_QUERY)

    assert rendered_rows(response.content.decode()) == size


# ---- last seen -------------------------------------------------------------------------------


def through_middleware(user) -> None:
    request = RequestFactory().get("/")
    request.user = user
    LastSeenMiddleware(lambda request: HttpResponse())(request)


def test_a_stale_last_seen_costs_one_update(org, django_assert_num_queries):
    ana = User.objects.get(username="ana")
    ana.last_seen = timezone.now() - LAST_SEEN_EVERY - timedelta(seconds=1)

    with django_assert_num_queries(1) as captured:
        through_middleware(ana)

    assert captured.captured_queries[0]["sql"].startswith("UPDATE")
    ana_now = User.objects.get(username="ana")
    assert timezone.now() - ana_now.last_seen < timedelta(seconds=5)
    assert ana.last_seen == ana_now.last_seen


def test_a_user_never_seen_is_stamped(org, django_assert_num_queries):
    ben = User.objects.get(username="ben")
    assert ben.last_seen is None

    with django_assert_num_queries(1):
        through_middleware(ben)

    assert User.objects.get(username="ben").last_seen is not None


def test_a_recent_last_seen_costs_no_query(org, django_assert_num_queries):
    ana = User.objects.get(username="ana")
    ana.last_seen = timezone.now() - LAST_SEEN_EVERY + timedelta(seconds=30)

    with django_assert_num_queries(0):
        through_middleware(ana)


def test_an_anonymous_visitor_costs_no_query(django_assert_num_queries, db):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        through_middleware(AnonymousUser())


def test_logging_in_stamps_last_seen_and_a_stale_one_is_refreshed_on_the_next_page(client, org):
    client.post(reverse("login"), {"username": "ana", "password": "pw"})
    stamped = User.objects.get(username="ana").last_seen
    assert stamped is not None and timezone.now() - stamped < timedelta(seconds=5)

    long_ago = timezone.now() - timedelta(hours=3)
    User.objects.filter(username="ana").update(last_seen=long_ago)
    client.get(reverse("home"))

    assert User.objects.get(username="ana").last_seen > long_ago


@pytest.mark.parametrize("model", ["contacts.Company", "contacts.Contact", "deals.Deal"])
def test_adoption_reads_who_changed_what_as_a_range_per_person(org, model):
    """contacts 0012, deals 0004: "changed by these people in the period" is a range of an
    index on (updated_by, updated_at) per person, not every record each person touched."""
    from django.apps import apps
    from django.db import connection

    records = apps.get_model(model).objects.order_by()
    changed = records.filter(
        updated_by_id__in=[org["ana"].pk, org["ben"].pk],
        updated_at__gte=at(WEEK1, 0),
        updated_at__lt=at(WEEK2, 0),
        version__gt=1,
    ).values("updated_by_id")
    index = next(
        i.name for i in records.model._meta.indexes if i.fields == ["updated_by", "updated_at"]
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sql, params = changed.query.sql_with_params()
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(row[-1] for row in cursor.fetchall())
            assert f"INDEX {index} (updated_by_id=? AND updated_at>? AND updated_at<?)" in plan
        else:  # PostgreSQL plans a test-sized table as a scan: the index is what it can use
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            assert "(updated_by_id, updated_at)" in cursor.fetchone()[0]
