"""The activity rollup (contacts.ActivityDay) stays equal to a recount of the activities.

Every way an activity is written — the services, a plain save as the Django admin does, a hard
delete — must leave the per-owner, per-day, per-kind rows exactly as a recount from scratch
would make them; `rebuild()` must make the same rows; and the day is the organisation's date
(settings.TIME_ZONE, Europe/Berlin here), across midnight and DST.
"""

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command

from contacts import rollups
from contacts.models import Activity, ActivityDay
from contacts.services import activity_log, activity_set_done
from crm.records import record_delete, record_restore, record_update
from tests.factories import ActivityFactory

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def recount() -> dict:
    """(owner, day, kind) -> (count, done) over live activities that were not cancelled,
    counted here in Python."""
    counts: Counter = Counter()
    done: Counter = Counter()
    for owner_id, occurs_at, kind, is_done in Activity.objects.filter(cancelled=False).values_list(
        "owner_id", "occurs_at", "kind", "done"
    ):
        key = (owner_id, occurs_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date(), kind)
        counts[key] += 1
        done[key] += is_done
    return {key: (n, done[key]) for key, n in counts.items()}


def rollup() -> dict:
    return {(r.owner_id, r.day, r.kind): (r.count, r.done_count) for r in ActivityDay.objects.all()}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


MONDAY = date(2026, 11, 23)


@pytest.fixture
def week(org):
    """A week of activities of several kinds and owners, some done."""
    made = []
    for i in range(12):
        made.append(
            ActivityFactory(
                owner=org[("ana", "ben", "carla")[i % 3]],
                kind=("call", "task", "meeting", "note")[i % 4],
                occurs_at=at(MONDAY + timedelta(days=i % 5), 9 + i % 8),
                done=i % 2 == 0,
            )
        )
    return made


def test_creating_activities_counts_them_per_owner_day_and_kind(week):
    assert rollup() == recount()
    assert sum(n for n, _ in rollup().values()) == 12


def test_logging_through_the_service_counts_the_new_activity(org, week):
    before = sum(n for n, _ in rollup().values())

    activity_log(
        activity=Activity(kind="call", subject="Asked about pricing", occurs_at=at(MONDAY, 8)),
        by=org["ana"],
    )

    assert rollup() == recount()
    assert sum(n for n, _ in rollup().values()) == before + 1
    assert rollup()[(org["ana"].pk, MONDAY, "call")][1] >= 1  # logged calls are done


def test_ticking_a_task_done_and_back_changes_the_done_count_only(org, week):
    task = next(a for a in week if a.kind == "task")
    key = (task.owner_id, rollups.day_of(task.occurs_at), "task")
    count, done = rollup()[key]

    was_done = task.done
    activity_set_done(activity=task, done=not was_done, by=task.owner)
    assert rollup()[key] == (count, done + (1 if task.done else -1))
    activity_set_done(activity=task, done=was_done, by=task.owner)

    assert rollup()[key] == (count, done)
    assert rollup() == recount()


def test_moving_an_activity_to_another_day_fixes_the_old_day_and_the_new_one(week):
    activity = week[0]
    old_key = (activity.owner_id, rollups.day_of(activity.occurs_at), activity.kind)
    activity.occurs_at = at(MONDAY + timedelta(days=6), 18)

    record_update(record=activity, by=activity.owner, fields=["occurs_at"])

    assert rollup() == recount()
    assert (activity.owner_id, MONDAY + timedelta(days=6), activity.kind) in rollup()
    assert rollup().get(old_key, (0, 0))[0] == recount().get(old_key, (0, 0))[0]


def test_giving_an_activity_to_another_owner_and_changing_its_kind_moves_its_count(org, week):
    activity = next(a for a in week if a.owner == org["ana"])
    activity.owner, activity.kind = org["ben"], "email"

    record_update(record=activity, by=org["admin"], fields=["owner", "kind"])

    assert rollup() == recount()
    key = (org["ben"].pk, rollups.day_of(activity.occurs_at), "email")
    assert rollup()[key] == (1, int(activity.done))


def test_a_plain_save_as_the_admin_does_moves_the_count_too(org, week):
    activity = Activity.objects.get(pk=week[1].pk)  # loaded afresh, as a change form does
    activity.occurs_at += timedelta(days=1)
    activity.owner = org["carla"]
    activity.done = not activity.done

    activity.save()

    assert rollup() == recount()


def test_the_last_activity_of_a_day_leaving_it_removes_the_row(org):
    lone = ActivityFactory(owner=org["ana"], kind="note", occurs_at=at(MONDAY, 10))
    assert rollup() == {(org["ana"].pk, MONDAY, "note"): (1, 0)}

    lone.occurs_at = at(MONDAY + timedelta(days=1), 10)
    record_update(record=lone, by=org["ana"], fields=["occurs_at"])

    assert rollup() == {(org["ana"].pk, MONDAY + timedelta(days=1), "note"): (1, 0)}


def test_soft_delete_uncounts_and_restore_counts_again(org, week):
    activity = week[2]
    before = rollup()

    record_delete(record=activity, by=activity.owner)
    assert rollup() == recount()
    assert rollup() != before

    record_restore(record=Activity.all_objects.get(pk=activity.pk), by=activity.owner)
    assert rollup() == recount() == before


def test_deleting_the_only_activity_leaves_no_rows(org):
    activity = ActivityFactory(owner=org["ana"], occurs_at=at(MONDAY, 10))

    record_delete(record=activity, by=org["ana"])

    assert not ActivityDay.objects.exists()


def test_a_hard_delete_uncounts_the_activity(week):
    week[3].delete()

    assert rollup() == recount()
    assert sum(n for n, _ in rollup().values()) == 11


def test_a_save_that_writes_no_counted_field_costs_no_rollup_query(week, django_assert_num_queries):
    activity = week[4]
    activity.subject = "Renamed"

    with django_assert_num_queries(2):  # the UPDATE and its history row
        activity.save(update_fields=["subject"])

    assert rollup() == recount()


def test_rebuild_makes_exactly_the_rows_the_writes_made(org, week):
    record_delete(record=week[5], by=week[5].owner)
    week[6].occurs_at = at(MONDAY - timedelta(days=3), 23, 59)
    record_update(record=week[6], by=week[6].owner, fields=["occurs_at"])
    activity_set_done(activity=week[7], done=not week[7].done, by=week[7].owner)
    incremental = rollup()

    made = rollups.rebuild()

    assert made == len(incremental) == ActivityDay.objects.count()
    assert rollup() == incremental == recount()


def test_rebuild_replaces_rows_that_went_wrong(week):
    ActivityDay.objects.update(count=99)
    ActivityDay.objects.create(owner=week[0].owner, day=date(2000, 1, 1), kind="call", count=3)

    rollups.rebuild()

    assert rollup() == recount()


@pytest.mark.parametrize(
    "local, day",
    [
        # 00:30 in Berlin is still the day before in UTC: the organisation's day counts.
        ((2026, 11, 24, 0, 30), date(2026, 11, 24)),
        ((2026, 11, 23, 23, 30), date(2026, 11, 23)),
        # Spring forward (29 March 2026): a 23-hour day.
        ((2026, 3, 29, 0, 30), date(2026, 3, 29)),
        ((2026, 3, 29, 23, 30), date(2026, 3, 29)),
        # Fall back (25 October 2026): a 25-hour day; 00:30 is 22:30 UTC the day before.
        ((2026, 10, 25, 0, 30), date(2026, 10, 25)),
        ((2026, 10, 25, 23, 30), date(2026, 10, 25)),
        ((2026, 10, 26, 0, 30), date(2026, 10, 26)),
    ],
)
def test_the_day_is_the_organisations_date_across_midnight_and_dst(org, local, day):
    moment = datetime(*local, tzinfo=BERLIN)

    ActivityFactory(owner=org["ana"], kind="call", occurs_at=moment)

    assert rollup() == {(org["ana"].pk, day, "call"): (1, 0)}
    rollups.rebuild()
    assert rollup() == {(org["ana"].pk, day, "call"): (1, 0)}


def test_a_dst_day_holds_all_its_hours(org):
    """25 October 2026 lasts 25 hours in Berlin: from 00:00 CEST to 00:00 CET the next day."""
    day = date(2026, 10, 25)
    start, end = (moment.astimezone(UTC) for moment in rollups.day_bounds(day))
    assert end - start == timedelta(hours=25)
    # 00:00, both 02:30s (CEST, then CET), and 23:59 CET: all on the 25th.
    for minutes in (0, 150, 210, 25 * 60 - 1):
        ActivityFactory(owner=org["ana"], kind="call", occurs_at=start + timedelta(minutes=minutes))
    ActivityFactory(owner=org["ana"], kind="call", occurs_at=end)  # 00:00 on the 26th

    assert rollup() == {
        (org["ana"].pk, day, "call"): (4, 0),
        (org["ana"].pk, day + timedelta(days=1), "call"): (1, 0),
    }
    rollups.rebuild()
    assert rollup() == recount()


def test_another_organisation_time_zone_moves_the_day(org, settings):
    settings.TIME_ZONE = "America/New_York"
    moment = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 22:00 on the 23rd in New York

    ActivityFactory(owner=org["ana"], kind="call", occurs_at=moment)

    assert rollup() == {(org["ana"].pk, date(2026, 11, 23), "call"): (1, 0)}
    rollups.rebuild()
    assert rollup() == {(org["ana"].pk, date(2026, 11, 23), "call"): (1, 0)}


def test_an_edit_in_the_django_admin_moves_the_count(client, org, week):
    activity = week[0]
    client.force_login(org["admin"])
    new_day = MONDAY + timedelta(days=6)

    response = client.post(
        f"/admin/contacts/activity/{activity.pk}/change/",
        {
            "kind": "meeting",
            "subject": activity.subject,
            "body": "",
            "occurs_at_0": new_day.isoformat(),
            "occurs_at_1": "10:00:00",
            "done": "on",
            "source": "manual",
            "owner": org["ben"].pk,
            "version": activity.version,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert rollup() == recount()
    assert rollup()[(org["ben"].pk, new_day, "meeting")] == (1, 1)


def test_the_seed_leaves_the_rollup_equal_to_a_recount(db):
    call_command(
        "seed_demo",
        "--today",
        "2026-11-02",
        "--companies",
        "10",
        "--contacts",
        "50",
        "--deals",
        "20",
        "--activities",
        "300",
        stdout=StringIO(),
    )

    assert ActivityDay.objects.exists()
    assert rollup() == recount()


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Berlin",
        "America/New_York",
        "America/Santiago",  # changes at midnight: a day starts at 01:00 or twice
        "America/Havana",  # changes at midnight and at 01:00
        "Australia/Lord_Howe",  # a half-hour change
        "Asia/Kathmandu",  # +05:45, no change
    ],
)
def test_rebuild_dates_every_moment_around_each_offset_change_as_python_does(org, settings, zone):
    """Activities every 15 minutes, and a second either side of each whole hour, for two days
    around each of the zone's 2026 offset changes (found here by an hourly scan)."""
    settings.TIME_ZONE = zone
    tz = ZoneInfo(zone)
    hours = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(365 * 24)]
    changes = [
        b
        for a, b in itertools.pairwise(hours)
        if a.astimezone(tz).utcoffset() != b.astimezone(tz).utcoffset()
    ] or [datetime(2026, 6, 1, tzinfo=UTC)]
    moments = set()
    for change in changes:
        for quarter in range(-2 * 96, 2 * 96):
            moments.add(change + timedelta(minutes=15 * quarter))
        for hour in range(-48, 48):
            whole = change.replace(minute=0, second=0) + timedelta(hours=hour)
            moments |= {whole - timedelta(seconds=1), whole, whole + timedelta(seconds=1)}
    Activity.objects.bulk_create(  # no signals: rebuild() alone makes the rows
        Activity(owner=org["ana"], kind="call", subject="x", occurs_at=m) for m in moments
    )

    rollups.rebuild()

    assert rollup() == recount()
    for moment in list(moments)[:200]:
        assert rollups.day_of(moment) == moment.astimezone(tz).date()


def test_a_meeting_cancelled_in_its_calendar_counts_nowhere_and_counts_again_revived(org):
    meeting = ActivityFactory(owner=org["ana"], kind="meeting", occurs_at=at(MONDAY, 10))
    assert rollup() == {(org["ana"].pk, MONDAY, "meeting"): (1, 0)}
    meeting.cancelled = True
    record_update(record=meeting, by=org["ana"], fields=["cancelled"])
    assert rollup() == {}
    assert rollups.rebuild() == 0 and rollup() == {}
    meeting.cancelled = False
    record_update(record=meeting, by=org["ana"], fields=["cancelled"])
    assert rollup() == {(org["ana"].pk, MONDAY, "meeting"): (1, 0)}
