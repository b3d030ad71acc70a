"""Query counts of every list page, at 1 row and at 20 rows, with one literal per page.

STYLE 20 and DECISIONS "Measuring": every relation filled, several owners, the rendered rows
counted in the same test, every query of the request counted (the user included; sessions are
signed cookies, so there is no session query). The visibility policy is cached per process for
a few seconds, so it is loaded before measuring, as it is for nearly every real request.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from crm import custom_fields, layouts, visibility
from deals.selectors import start_of_today
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    PipelineFactory,
    StageFactory,
)

OWNERS = ("ana", "ben", "maria")  # North: all in ana's scope, each owning some rows
SIZES = [1, 20]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def stages(db):
    pipeline = PipelineFactory(name="Sales")
    return [
        StageFactory(pipeline=pipeline, name=name, order=i, probability=10 * (i + 1))
        for i, name in enumerate(("Lead", "Qualified", "Proposal"))
    ]


@pytest.fixture
def fill(org, stages):
    """`fill(n)`: n linked rows of each kind, owners taking turns, plus an outsider's rows."""

    def make(n, *, owners=OWNERS, prefix="Zeta"):
        for i in range(n):
            owner = org[owners[i % len(owners)]]
            company = CompanyFactory(
                name=f"{prefix} {i:02} GmbH",
                domain=f"{prefix.lower()}{i}.example",
                city="Berlin",
                owner=owner,
            )
            contact = ContactFactory(
                first_name="Zed",
                last_name=f"{prefix}{i:02}",
                company=company,
                phone=f"+49 30 55{i:05}",
                owner=owner,
            )
            deal = DealFactory(
                title=f"{prefix} deal {i:02}", company=company, stage=stages[i % 3], owner=owner
            )
            deal.contacts.add(contact)
            activity = ActivityFactory(
                subject=f"{prefix} call {i:02}", company=company, deal=deal, owner=owner
            )
            activity.contacts.add(contact)

    def fill(n):
        make(n)
        make(3, owners=("carla",), prefix="Outsider")  # South: never rendered for ana

    return fill


@pytest.fixture
def ana(client_for):
    client = client_for("ana")
    visibility.current_policy()
    custom_fields.all_fields()  # cached per process too (crm/custom_fields.py)
    layouts.for_kind("contact")  # and the form layouts (crm/layouts.py)
    return client


def table_rows(body: str) -> int:
    return body.split("<tbody", 1)[1].split("</tbody>", 1)[0].count("<tr")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "url_name",
    ["contacts:list", "contacts:company-list", "contacts:activity-list", "deals:list"],
)
def test_a_list_page_costs_the_same_queries_at_1_and_20_rows(
    ana, fill, size, url_name, django_assert_num_queries
):
    """User, the owner filter's choices, the page of rows; no COUNT (lazy pages)."""
    fill(size)
    expected = {
        "contacts:list": 3,
        "contacts:company-list": 3,
        "contacts:activity-list": 3,
        "deals:list": 5,  # + the pipeline and stage filter choices
    }[url_name]

    with django_assert_num_queries(expected):
        response = ana.get(reverse(url_name))

    body = response.content.decode()
    assert table_rows(body) == size
    assert "Outsider" not in body


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "url_name",
    ["contacts:list", "contacts:company-list", "contacts:activity-list", "deals:list"],
)
def test_a_list_fragment_costs_the_same_queries_at_1_and_20_rows(
    ana, fill, size, url_name, django_assert_num_queries
):
    """The HTMX results fragment renders no layout and no filter form: user and rows only."""
    fill(size)

    with django_assert_num_queries(2):
        response = ana.get(reverse(url_name), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert table_rows(body) == size
    assert "<html" not in body


@pytest.mark.parametrize("size", SIZES)
def test_the_board_costs_the_same_queries_at_1_and_20_cards(
    ana, fill, size, django_assert_num_queries
):
    """User, pipelines, column totals, stages, then one query per column (three here)."""
    fill(size)

    with django_assert_num_queries(7):
        response = ana.get(reverse("deals:board"))

    body = response.content.decode()
    assert body.count('class="card deal-card') == size
    assert "Outsider" not in body


@pytest.mark.parametrize("size", SIZES)
def test_search_costs_the_same_queries_at_1_and_20_matches(
    ana, fill, size, django_assert_num_queries
):
    """User, the one search query; at most eight hits of each kind."""
    fill(size)

    with django_assert_num_queries(2):
        response = ana.get(reverse("search"), {"q": "zeta"})

    body = response.content.decode()
    assert body.count("<li>") == 3 * min(size, 8)  # companies, contacts, deals
    assert "Outsider" not in body


@pytest.mark.parametrize("size", SIZES)
def test_my_day_costs_the_same_queries_at_1_and_20_rows(
    ana, org, stages, size, django_assert_num_queries
):
    """User, then one query per section: appointments, tasks, deals."""
    today = start_of_today()
    for i in range(size):
        for owner in ("ana", "ben", "maria"):  # only ana's rows are on ana's day
            company = CompanyFactory(name=f"{owner} company {i:02}", owner=org[owner])
            deal = DealFactory(
                title=f"{owner} deal {i:02}",
                company=company,
                stage=stages[i % 3],
                owner=org[owner],
            )
            call = ActivityFactory(
                kind="call",
                subject=f"{owner} appointment {i:02}",
                company=company,
                deal=deal,
                owner=org[owner],
                occurs_at=today + timedelta(hours=8, minutes=i),
            )
            call.contacts.add(ContactFactory(company=company, owner=org[owner]))
            ActivityFactory(
                kind="task",
                subject=f"{owner} task {i:02}",
                company=company,
                deal=deal,
                owner=org[owner],
                occurs_at=today - timedelta(days=1, minutes=i),
            )

    with django_assert_num_queries(4):
        response = ana.get(reverse("home"))

    body = response.content.decode()
    assert body.count("ana appointment") == size
    assert body.count("ana task") == size
    # Each of ana's deals has only an overdue task: listed, flagged.
    assert body.count("Next step overdue") == size
    assert "ben " not in body.split('<main class="page">')[1]
    assert "maria " not in body.split('<main class="page">')[1]
