"""Query counts of the HTMX writes, at 1 and at 20 rows around them, with one literal each.

DESIGN's budget for an HTMX interaction is at most 8 queries, the user, BEGIN and COMMIT
included. The rows around the write (timeline entries, cards on the board) must not add any.
"""

import pytest
from django.urls import reverse

from contacts.models import Activity
from crm import custom_fields, layouts, requirements, visibility
from tests.factories import (
    ActivityFactory,
    ContactFactory,
    DealFactory,
    PipelineFactory,
    StageFactory,
)

SIZES = [1, 20]
HX = {"HX-Request": "true"}


@pytest.fixture
def ana(client_for):
    client = client_for("ana")
    visibility.current_policy()  # cached per process, as for nearly every real request
    requirements.disabled_slugs()  # the report switches too (forms read them)
    custom_fields.all_fields()  # and the custom fields
    layouts.for_kind("contact")  # and the form layouts
    return client


@pytest.fixture
def stages(db):
    pipeline = PipelineFactory(name="Sales")
    return [
        StageFactory(pipeline=pipeline, name=name, order=i, probability=10 * (i + 1))
        for i, name in enumerate(("Lead", "Qualified", "Proposal"))
    ]


@pytest.mark.parametrize("size", SIZES)
def test_logging_a_call_on_a_contact_costs_eight_queries(ana, org, size, django_assert_num_queries):
    contact = ContactFactory(owner=org["ana"])
    for i in range(size):
        activity = ActivityFactory(subject=f"Earlier {i}", owner=org[("ana", "ben")[i % 2]])
        activity.contacts.add(contact)

    # User, contact, BEGIN, the activity, its history, its link, the rollup upsert, COMMIT.
    # The timeline is not read again: the new entry goes on top of it.
    with django_assert_num_queries(8):
        response = ana.post(
            reverse("contacts:contact-log", args=[contact.pk]),
            {"kind": "call", "subject": "Asked about pricing"},
            headers=HX,
        )

    body = response.content.decode()
    assert body.count('class="activity ') == 1
    assert "Asked about pricing" in body
    assert Activity.objects.filter(contacts=contact, subject="Asked about pricing").exists()


@pytest.mark.parametrize("size", SIZES)
def test_ticking_a_task_done_costs_seven_queries(ana, org, size, django_assert_num_queries):
    tasks = [
        ActivityFactory(kind="task", subject=f"Task {i}", owner=org["ana"]) for i in range(size)
    ]

    with django_assert_num_queries(7):  # the activity rollup's upsert included
        response = ana.post(
            reverse("contacts:activity-done", args=[tasks[-1].pk]),
            {"done": "true", "version": tasks[-1].version},
            headers=HX,
        )

    assert f'id="activity-{tasks[-1].pk}"' in response.content.decode()
    tasks[-1].refresh_from_db()
    assert tasks[-1].done


@pytest.mark.parametrize("size", SIZES)
def test_a_board_move_costs_eight_queries(ana, org, stages, size, django_assert_num_queries):
    deals = [
        DealFactory(title=f"Deal {i}", stage=stages[i % 3], owner=org[("ana", "maria")[i % 2]])
        for i in range(size)
    ]
    deal = deals[0]

    with django_assert_num_queries(8):
        response = ana.post(
            reverse("deals:move", args=[deal.pk]),
            {
                "stage": stages[2].pk,
                "next": "board",
                "version": deal.version,
                "from_stage": deal.stage_id,
            },
            headers=HX,
        )

    body = response.content.decode()
    assert body.count('id="column-head-') == 2  # the column it left and the one it joined
    assert f'id="deal-{deal.pk}"' in body
    deal.refresh_from_db()
    assert deal.stage == stages[2]


@pytest.mark.parametrize("size", SIZES)
def test_logging_a_call_on_a_deal_costs_eight_queries(ana, org, size, django_assert_num_queries):
    deal = DealFactory(owner=org["ana"])
    for i in range(size):
        deal.contacts.add(ContactFactory(last_name=f"Buyer{i}", owner=org["ana"]))

    with django_assert_num_queries(8):  # the deal's people are linked in one INSERT … SELECT
        response = ana.post(
            reverse("deals:log", args=[deal.pk]),
            {"kind": "call", "subject": "Walked through the offer"},
            headers=HX,
        )

    assert "Walked through the offer" in response.content.decode()
    logged = Activity.objects.get(subject="Walked through the offer")
    assert logged.contacts.count() == size


@pytest.mark.parametrize("size", SIZES)
def test_the_next_step_after_a_done_task_costs_eight_queries(
    ana, org, size, django_assert_num_queries
):
    deal = DealFactory(owner=org["ana"])
    done = ActivityFactory(
        kind="task", subject="Send the offer", owner=org["ana"], deal=deal, done=True
    )
    for i in range(size):
        done.contacts.add(ContactFactory(last_name=f"Buyer{i}", owner=org["ana"]))

    # User, the done task, BEGIN, the new task, its history, its people (INSERT … SELECT),
    # the rollup upsert, COMMIT.
    with django_assert_num_queries(8):
        response = ana.post(
            reverse("contacts:activity-next", args=[done.pk]),
            {"subject": "Call about the offer", "due": "2030-01-15"},
            headers=HX,
        )

    assert "Call about the offer" in response.content.decode()
    task = Activity.objects.get(subject="Call about the offer")
    assert (task.deal, task.contacts.count(), task.done) == (deal, size, False)
