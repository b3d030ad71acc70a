"""Subscriptions: `sync` / `sync_calendars` against a calendar server on 127.0.0.1 — conditional
GET, edits by SEQUENCE and LAST-MODIFIED, dropped events, and failures that change nothing."""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from calendars import fetch, services
from calendars.models import CalendarSource
from contacts.models import Activity
from tests.calendars.conftest import ics

ETAG = '"v1"'


def subscribe(user, url, name="Sales team") -> CalendarSource:
    return CalendarSource.objects.create(
        owner=user, kind=CalendarSource.Kind.SUBSCRIPTION, name=name, url=url
    )


def meetings(source):
    return Activity.all_objects.filter(calendar_source=source).order_by("occurs_at", "pk")


def state(source) -> list[tuple]:
    return list(
        meetings(source).values_list("external_id", "subject", "occurs_at", "cancelled", "version")
    )


def edited(body: bytes, *pairs: tuple[bytes, bytes]) -> bytes:
    for old, new in pairs:
        assert old in body, old
        body = body.replace(old, new, 1)
    return body


FEED = ics("subscription.ics")
DEMO_V1 = (
    b"SEQUENCE:0\r\nDTSTART;TZID=Europe/Berlin:20270209T100000\r\n"
    b"DTEND;TZID=Europe/Berlin:20270209T110000"
)
DEMO_V2 = (
    b"SEQUENCE:1\r\nDTSTART;TZID=Europe/Berlin:20270210T150000\r\n"
    b"DTEND;TZID=Europe/Berlin:20270210T160000"
)
REVIEW_V1 = b"LAST-MODIFIED:20261130T100000Z\r\nSEQUENCE:0\r\nDTSTART;TZID=Europe/Berlin:20270201"
REVIEW_V2 = b"LAST-MODIFIED:20261205T080000Z\r\nSEQUENCE:0\r\nDTSTART;TZID=Europe/Berlin:20270201"
LUNCH = FEED[FEED.index(b"BEGIN:VEVENT\r\nUID:lunch-olaf") : FEED.index(b"END:VCALENDAR")]


def test_first_sync_creates_the_second_is_a_304_and_reports_all_unchanged(people, feed_server):
    url = feed_server.serve("/sales.ics", body=FEED, etag=ETAG)
    source = subscribe(people["ana"], url)

    first = services.sync(source)
    second = services.sync(source)

    assert (first.created, first.ok) == (5, True)  # demo, 3 reviews, lunch
    assert second.as_json() == {
        "created": 0,
        "updated": 0,
        "cancelled": 0,
        "unchanged": 5,
        "skipped": [],
        "matched_contacts": 0,
        "unknown_attendees": [],
        "errors": [],
    }
    assert feed_server.requests[1]["If-None-Match"] == ETAG
    source.refresh_from_db()
    assert source.etag == ETAG and source.last_ok and source.last_result == second.as_json()
    demo = meetings(source).get(subject="Product demo Client AG")
    assert list(demo.contacts.all()) == [people["client"]]


def test_last_modified_alone_makes_the_get_conditional_too(people, feed_server):
    stamp = "Tue, 01 Dec 2026 10:00:00 GMT"
    source = subscribe(people["ana"], feed_server.serve("/lm.ics", body=FEED, last_modified=stamp))

    services.sync(source)
    second = services.sync(source)

    assert feed_server.requests[1]["If-Modified-Since"] == stamp
    assert second.unchanged == 5 and second.created == 0


def test_an_edited_feed_updates_by_sequence_and_by_last_modified(people, feed_server):
    source = subscribe(people["ana"], feed_server.serve("/sales.ics", body=FEED, etag=ETAG))
    services.sync(source)
    demo_pk = meetings(source).get(subject="Product demo Client AG").pk

    changed = edited(
        FEED,
        (DEMO_V1, DEMO_V2),  # a new SEQUENCE moves the demo
        (REVIEW_V1, REVIEW_V2),  # the same SEQUENCE, a later LAST-MODIFIED renames the series
        (b"SUMMARY:Pipeline review", b"SUMMARY:Pipeline and forecast review"),
    )
    feed_server.serve("/sales.ics", body=changed, etag='"v2"')
    result = services.sync(source)

    assert (result.updated, result.unchanged, result.created) == (4, 1, 0)
    demo = meetings(source).get(pk=demo_pk)
    assert demo.occurs_at == datetime(2027, 2, 10, 14, 0, tzinfo=UTC) and demo.version == 2
    assert meetings(source).filter(subject="Pipeline and forecast review").count() == 3
    source.refresh_from_db()
    assert source.etag == '"v2"'


def test_an_edit_without_a_newer_version_changes_nothing(people, feed_server):
    source = subscribe(people["ana"], feed_server.serve("/sales.ics", body=FEED, etag=ETAG))
    services.sync(source)
    before = state(source)

    same_version = edited(FEED, (b"SUMMARY:Lunch with Olaf", b"SUMMARY:Lunch with Olaf!"))
    feed_server.serve("/sales.ics", body=same_version, etag='"v2"')
    result = services.sync(source)

    assert result.unchanged == 5 and state(source) == before


def test_a_dropped_event_is_cancelled_and_revived_when_it_reappears(people, feed_server):
    source = subscribe(people["ana"], feed_server.serve("/sales.ics", body=FEED, etag=ETAG))
    services.sync(source)

    feed_server.serve("/sales.ics", body=FEED.replace(LUNCH, b""), etag='"v2"')
    dropped = services.sync(source)
    lunch = meetings(source).get(subject="Lunch with Olaf")
    feed_server.serve("/sales.ics", body=FEED, etag='"v3"')
    back = services.sync(source)

    assert (dropped.cancelled, dropped.unchanged) == (1, 4)
    assert lunch.cancelled and lunch.deleted_at is None
    assert (back.updated, back.unchanged, back.created) == (1, 4, 0)
    assert not meetings(source).get(pk=lunch.pk).cancelled


def test_a_dropped_instance_of_a_series_is_cancelled(people, feed_server):
    source = subscribe(people["ana"], feed_server.serve("/sales.ics", body=FEED, etag=ETAG))
    services.sync(source)

    shorter = edited(FEED, (b"RRULE:FREQ=WEEKLY;COUNT=3", b"RRULE:FREQ=WEEKLY;COUNT=2"))
    feed_server.serve("/sales.ics", body=shorter, etag='"v2"')
    result = services.sync(source)

    assert result.cancelled == 1
    reviews = meetings(source).filter(subject="Pipeline review")
    assert [r.cancelled for r in reviews] == [False, False, True]


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ({"status": 404, "body": b"Not found"}, "The server answered 404 Not Found."),
        (
            {"body": (b"<!DOCTYPE html><html><body>Sign in</body></html>"), "type": "text/html"},
            "This is a web page (HTML), not a calendar.",
        ),
        ({"mode": "stall"}, "The server did not answer within 1 s."),
        ({"mode": "endless"}, "The calendar is larger than 256 KB."),
        ({"body": FEED[: len(FEED) // 2]}, "The file is incomplete"),
    ],
    ids=["404", "html", "stall", "endless-body", "cut-short"],
)
def test_a_failing_feed_changes_nothing_and_shows_the_reason_with_the_time(
    people, feed_server, route, reason
):
    source = subscribe(people["ana"], feed_server.serve("/sales.ics", body=FEED, etag=ETAG))
    services.sync(source)
    before = state(source)

    feed_server.serve("/sales.ics", **route)
    result = services.sync(source)

    assert not result.ok and result.errors[0].startswith(reason)
    assert state(source) == before
    source.refresh_from_db()
    assert source.last_ok is False and source.last_result["errors"] == result.errors
    assert source.last_synced_at is not None and source.etag == ETAG


def test_loopback_and_private_addresses_are_refused_unless_allowed(people, feed_server, settings):
    settings.HUDDLE_CALENDAR_ALLOW_PRIVATE_ADDRESSES = False
    source = subscribe(people["ana"], feed_server.serve("/sales.ics", body=FEED))

    result = services.sync(source)

    assert result.errors == [
        "127.0.0.1 is on a private or local network (127.0.0.1); Huddle fetches calendars "
        "from the internet only."
    ]
    assert feed_server.requests == []  # never asked
    assert not meetings(source).exists()


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "192.168.0.10", "169.254.169.254", "::1", "fd00::1", "0.0.0.0"]
)
def test_private_link_local_and_unspecified_addresses_are_not_allowed(address):
    assert not fetch._allowed(address)


def test_public_addresses_are_allowed():
    assert fetch._allowed("93.184.215.14") and fetch._allowed(
        "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
    )


@pytest.mark.parametrize(
    ("given", "fetched"),
    [
        ("webcal://calendar.example/team.ics", "https://calendar.example/team.ics"),
        ("WEBCAL://calendar.example/a?b=c", "https://calendar.example/a?b=c"),
        ("http://calendar.example/x.ics", "http://calendar.example/x.ics"),
    ],
)
def test_webcal_is_https(given, fetched):
    assert fetch.normalize_url(given) == fetched


@pytest.mark.parametrize("url", ["ftp://calendar.example/x.ics", "file:///etc/passwd", "x"])
def test_other_schemes_are_refused(url):
    with pytest.raises(fetch.FetchFailed, match="must start with https://"):
        fetch.normalize_url(url)


def test_sync_calendars_syncs_every_subscription_and_exits_non_zero_if_one_failed(
    people, feed_server, org
):
    ok = subscribe(people["ana"], feed_server.serve("/sales.ics", body=FEED, etag=ETAG))
    broken = subscribe(org["ben"], feed_server.url("/gone.ics"), name="Gone")
    out = StringIO()

    with pytest.raises(CommandError, match="1 of 2 subscriptions failed"):
        call_command("sync_calendars", "--json", stdout=out)

    rows = {row["id"]: row for row in json.loads(out.getvalue())}
    assert rows[ok.pk]["created"] == 5 and rows[ok.pk]["errors"] == []
    assert rows[broken.pk]["errors"] == ["The server answered 404 Not Found."]


def test_sync_calendars_skips_deactivated_users(people, feed_server, org):
    ben = org["ben"]
    subscribe(ben, feed_server.serve("/sales.ics", body=FEED))
    ben.is_active = False
    ben.save(update_fields=["is_active"])

    call_command("sync_calendars", stdout=StringIO())

    assert feed_server.requests == []


def test_import_calendar_takes_a_url_once_into_the_uploads(people, feed_server):
    url = feed_server.serve("/once.ics", body=FEED)
    out = StringIO()

    call_command("import_calendar", url, "--user", "ana", "--json", stdout=out)

    assert json.loads(out.getvalue())["created"] == 5
    assert Activity.objects.filter(calendar_source__kind="uploads").count() == 5
