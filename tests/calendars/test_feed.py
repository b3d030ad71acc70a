"""The feed out: a secret, revocable address serving the user's own meetings and open tasks as
iCalendar that icalendar (and so Google, Apple and Outlook) reads."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from calendars import services
from calendars.models import FeedToken
from contacts.models import Activity
from crm.records import record_delete
from tests.calendars.conftest import ics
from tests.factories import ActivityFactory


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def diary(people, org):
    """ana's own meetings and tasks, and what must stay out of her feed."""
    ana, ben = people["ana"], org["ben"]
    own = {
        "meeting": ActivityFactory(
            kind="meeting",
            subject="Kick-off Client AG",
            owner=ana,
            occurs_at=at(2027, 2, 1, 9),
            ends_at=at(2027, 2, 1, 10),
            body="Bring the plan",
        ),
        "all_day": ActivityFactory(
            kind="meeting",
            subject="Trade fair",
            owner=ana,
            all_day=True,
            occurs_at=datetime.fromisoformat("2027-02-15T00:00:00+01:00"),
            ends_at=datetime.fromisoformat("2027-02-17T00:00:00+01:00"),
        ),
        "task": ActivityFactory(
            kind="task", subject="Send the offer", owner=ana, occurs_at=at(2027, 2, 2, 16)
        ),
    }
    ActivityFactory(
        kind="task", subject="Done task", owner=ana, done=True, occurs_at=at(2027, 2, 3)
    )
    ActivityFactory(kind="call", subject="A call", owner=ana, occurs_at=at(2027, 2, 3))
    ActivityFactory(kind="note", subject="A note", owner=ana, occurs_at=at(2027, 2, 3))
    ActivityFactory(kind="meeting", subject="Ben's meeting", owner=ben, occurs_at=at(2027, 2, 4))
    ActivityFactory(kind="task", subject="Ben's task", owner=ben, occurs_at=at(2027, 2, 4))
    deleted = ActivityFactory(
        kind="meeting", subject="Deleted meeting", owner=ana, occurs_at=at(2027, 2, 5)
    )
    record_delete(record=deleted, by=ana)
    services.import_upload(user=ana, data=ics("outlook_invite.ics"))  # from her calendar
    return own


def feed_of(client, user) -> Calendar:
    token = FeedToken.objects.get_or_create(user=user)[0].token
    response = client.get(reverse("calendars:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_the_feed_parses_and_holds_exactly_the_users_meetings_and_open_tasks(client, diary, people):
    ana = people["ana"]

    calendar = feed_of(client, ana)

    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Kick-off Client AG", "Trade fair", "Task: Send the offer"}
    expected = set(
        Activity.objects.visible_to(ana)
        .filter(owner=ana, done=False, kind__in=["meeting", "task"])
        .exclude(source="calendar")
        .values_list("pk", flat=True)
    )
    assert {str(e["UID"]) for e in events.values()} == {
        f"huddle-activity-{pk}@huddle" for pk in expected
    }
    kickoff = events["Kick-off Client AG"]
    assert kickoff.start == at(2027, 2, 1, 9) and kickoff.end == at(2027, 2, 1, 10)
    assert str(kickoff["DESCRIPTION"]).startswith("Bring the plan\n\nhttp://testserver/")
    assert kickoff["SEQUENCE"] == diary["meeting"].version
    fair = events["Trade fair"]
    assert str(fair.start) == "2027-02-15" and str(fair.end) == "2027-02-17"
    task = events["Task: Send the offer"]
    assert task.start == at(2027, 2, 2, 16)
    alarms = task.walk("VALARM")
    assert len(alarms) == 1 and alarms[0]["ACTION"] == "DISPLAY"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]


def test_the_feed_follows_edits_and_a_done_task_leaves_it(client, diary, people):
    ana = people["ana"]
    task = diary["task"]
    task.done = True
    task.save()

    calendar = feed_of(client, ana)

    assert "Task: Send the offer" not in {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


def test_regenerating_the_address_revokes_the_old_one(client, diary, people):
    ana = people["ana"]
    old = FeedToken.objects.get_or_create(user=ana)[0].token
    client.force_login(ana)

    client.post(reverse("calendars:feed-regenerate"))
    client.logout()

    new = FeedToken.objects.get(user=ana).token
    assert new != old
    assert client.get(reverse("calendars:feed", args=[old])).status_code == 404
    assert client.get(reverse("calendars:feed", args=[new])).status_code == 200


def test_the_feed_needs_no_login_but_a_valid_token(client, db, people):
    assert client.get(reverse("calendars:feed", args=["not-a-token"])).status_code == 404


def test_a_deactivated_users_feed_is_gone(client, diary, people):
    ana = people["ana"]
    token = FeedToken.objects.get_or_create(user=ana)[0].token
    ana.is_active = False
    ana.save(update_fields=["is_active"])

    assert client.get(reverse("calendars:feed", args=[token])).status_code == 404


def test_the_feed_answers_head_and_refuses_post(client, diary, people):
    token = FeedToken.objects.get_or_create(user=people["ana"])[0].token
    url = reverse("calendars:feed", args=[token])

    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_the_feed_of_many_activities_takes_a_constant_number_of_queries(
    client, people, django_assert_num_queries
):
    ana = people["ana"]
    token = FeedToken.objects.get_or_create(user=ana)[0].token
    url = reverse("calendars:feed", args=[token])
    for n in range(20):
        ActivityFactory(kind="meeting", owner=ana, occurs_at=at(2027, 3, 1) + timedelta(days=n))

    with django_assert_num_queries(3):  # the token with its user, the policy, the activities
        response = client.get(url)

    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 20
