"""Done is offered on a timeline's task only to those who may change it (contacts/timeline.py
flags each row `is_editable` in the timeline's own query); the view still refuses the others.

ana's task on her contact Nora: ana and maria (North's manager) may finish it; ben (North) sees
it read-only; carla (South) does not see it at all.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity
from tests.factories import ActivityFactory


@pytest.fixture
def task(north_records, org):
    task = ActivityFactory(
        kind=Activity.Kind.TASK,
        subject="Send Nora the price list",
        owner=org["ana"],
        occurs_at=timezone.now() + timedelta(days=1),
    )
    task.contacts.add(north_records["contact"])
    return task


def _row(html: str, task) -> str:
    start = html.index(f'id="activity-{task.pk}"')
    return html[start : html.index("</li>", start)]


@pytest.mark.parametrize("username", ["ana", "maria", "admin"])
def test_whoever_may_change_the_task_is_offered_done(username, task, north_records, client_for):
    html = client_for(username).get(north_records["contact"].get_absolute_url()).content.decode()

    row = _row(html, task)
    assert "Send Nora the price list" in row
    assert reverse("contacts:activity-done", args=[task.pk]) in row
    assert ">Done</button>" in row


def test_a_same_team_rep_sees_the_task_without_done(task, north_records, client_for):
    client = client_for("ben")
    html = client.get(north_records["contact"].get_absolute_url()).content.decode()

    row = _row(html, task)
    assert "Send Nora the price list" in row
    assert (
        "activity-done" not in row and reverse("contacts:activity-done", args=[task.pk]) not in row
    )
    assert ">Done</button>" not in row
    response = client.post(
        reverse("contacts:activity-done", args=[task.pk]),
        {"done": "true", "version": task.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert not Activity.objects.get(pk=task.pk).done


def test_the_deal_and_company_timelines_offer_done_the_same_way(task, north_records, client_for):
    task.company = north_records["company"]
    task.deal = north_records["deal"]
    task.save(update_fields=["company", "deal"])
    done = reverse("contacts:activity-done", args=[task.pk])
    for record in (north_records["company"], north_records["deal"]):
        assert done in _row(client_for("ana").get(record.get_absolute_url()).content.decode(), task)
        assert done not in _row(
            client_for("ben").get(record.get_absolute_url()).content.decode(), task
        )
