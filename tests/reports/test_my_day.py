"""My day (`home`): today's meetings and calls, due tasks, my deals without a next step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.selectors import start_of_today
from tests.factories import ActivityFactory, DealFactory, StageFactory

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(days=0, hours=0):
    """A moment relative to the start of today in the organisation's time zone."""
    return start_of_today() + timedelta(days=days, hours=hours)


def section(body: str, heading: str) -> str:
    """The HTML of one card of the page, from its heading to the end of its section."""
    return body.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]


def my_day(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_my_day_lists_my_meetings_and_calls_of_today_in_time_order(client_for, org):
    ana, ben = org["ana"], org["ben"]
    ActivityFactory(kind="call", subject="Call Nora", owner=ana, occurs_at=at(hours=14))
    ActivityFactory(kind="meeting", subject="Demo at Nordwind", owner=ana, occurs_at=at(hours=10))
    ActivityFactory(kind="meeting", subject="Tomorrow's workshop", owner=ana, occurs_at=at(1, 10))
    ActivityFactory(kind="meeting", subject="Yesterday's review", owner=ana, occurs_at=at(-1, 10))
    ActivityFactory(kind="meeting", subject="Ben's demo", owner=ben, occurs_at=at(hours=11))
    ActivityFactory(kind="note", subject="A note of today", owner=ana, occurs_at=at(hours=9))

    appointments = section(my_day(client_for("ana")), "Today's meetings and calls")

    assert appointments.index("Demo at Nordwind") < appointments.index("Call Nora")
    for absent in ("Tomorrow", "Yesterday", "Ben's demo", "A note of today"):
        assert absent not in appointments
    assert "Nothing scheduled today." not in appointments


def test_my_day_says_when_nothing_is_scheduled(client_for, org):
    body = my_day(client_for("ana"))

    assert "Nothing scheduled today." in section(body, "Today's meetings and calls")
    assert "No tasks due." in section(body, "Tasks due")
    assert "Every open deal has a next step." in section(body, "My deals without a next step")


def test_my_day_lists_open_tasks_due_today_and_overdue_ones_first_and_flagged(client_for, org):
    ana, ben = org["ana"], org["ben"]
    ActivityFactory(kind="task", subject="Send proposal", owner=ana, occurs_at=at(hours=9))
    ActivityFactory(kind="task", subject="Send contract", owner=ana, occurs_at=at(-3, 9))
    ActivityFactory(kind="task", subject="Future task", owner=ana, occurs_at=at(3, 9))
    ActivityFactory(kind="task", subject="Finished task", owner=ana, occurs_at=at(-1), done=True)
    ActivityFactory(kind="task", subject="Ben's task", owner=ben, occurs_at=at(-1))
    ActivityFactory(
        kind="task", subject="Deleted task", owner=ana, occurs_at=at(-1), deleted_at=timezone.now()
    )

    tasks = section(my_day(client_for("ana")), "Tasks due")

    assert tasks.index("Send contract") < tasks.index("Send proposal")
    overdue, due_today = tasks.split("Send contract")[0], tasks.split("Send contract")[1]
    assert '<span class="flag warn">Overdue</span>' in overdue.rsplit("<li", 1)[1]
    assert "Overdue" not in due_today
    for absent in ("Future task", "Finished task", "Ben's task", "Deleted task"):
        assert absent not in tasks


def test_a_task_ticked_on_my_day_leaves_the_list(client_for, org):
    task = ActivityFactory(kind="task", subject="Send proposal", owner=org["ana"], occurs_at=at(-1))
    client = client_for("ana")

    response = client.post(
        reverse("contacts:activity-done", args=[task.pk]),
        {"done": "true", "version": task.version},
        headers=HX,
    )

    assert f'id="activity-{task.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert "Send proposal" not in section(my_day(client), "Tasks due")


def test_my_day_lists_my_open_deals_without_a_next_step(client_for, org):
    ana = org["ana"]
    idle = DealFactory(title="Idle deal", owner=ana)
    planned = DealFactory(title="Planned deal", owner=ana)
    ActivityFactory(kind="task", deal=planned, owner=ana, occurs_at=at(2, 9))
    late = DealFactory(title="Late deal", owner=ana)
    ActivityFactory(kind="task", deal=late, owner=ana, occurs_at=at(-2, 9))
    won = StageFactory(pipeline=idle.pipeline, name="Won", order=9, is_won=True, probability=100)
    DealFactory(title="Won deal", owner=ana, stage=won)
    DealFactory(title="Ben's idle deal", owner=org["ben"])

    deals = section(my_day(client_for("ana")), "My deals without a next step")

    idle_row = deals.split("Idle deal")[1].split("</li>")[0]
    late_row = deals.split("Late deal")[1].split("</li>")[0]
    assert '<span class="flag">No next step</span>' in idle_row
    assert '<span class="flag warn">Next step overdue</span>' in late_row
    for absent in ("Planned deal", "Won deal", "Ben's idle deal"):
        assert absent not in deals


def test_a_meeting_later_today_is_a_next_step(client_for, org):
    deal = DealFactory(title="Meeting deal", owner=org["ana"])
    ActivityFactory(kind="meeting", deal=deal, owner=org["ana"], occurs_at=at(hours=23))

    deals = section(my_day(client_for("ana")), "My deals without a next step")

    assert "Meeting deal" not in deals


def test_a_call_planned_on_a_deal_is_no_next_step(client_for, org):
    """Only tasks and meetings are next steps (DECISIONS "Next step")."""
    deal = DealFactory(title="Call deal", owner=org["ana"])
    ActivityFactory(kind="call", deal=deal, owner=org["ana"], occurs_at=at(2, 9))

    deals = section(my_day(client_for("ana")), "My deals without a next step")

    assert "Call deal" in deals


def test_my_day_is_only_for_logged_in_users(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"
