"""Visibility matrix cases for the Calendars page (issue 15): every user has their own — their
uploads, subscriptions, time zone and feed — and nobody reaches anyone else's, whatever the
role or the policy. ben owns the subscription and the import under test; the others get 404.

An upload names ana's contact Nora (nora@nordwind.example) as an attendee: the result links the
meeting for those who may see her and lists only the address, as in the file, for the rest —
never her name from Huddle (the matrix's leak check). A subscription points at 127.0.0.1:9,
which the default settings refuse before any network is touched.

The feed (`calendars:feed`) is no case: it answers without a login, its secret address being
the key; it is exempt in tests/test_url_matrix.py and tested in tests/calendars/test_feed.py.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calendars.models import CalendarImport, CalendarSource, FeedToken
from contacts.models import Activity, Contact
from crm.models import User
from tests.matrix import EVERYONE_200, LOGGED_IN, METHOD_NOT_ALLOWED, POST, POST_HX, Case, statuses

BEN = frozenset({"ben"})
ALL_302 = statuses(ben=302, outsiders=302, editors=302)
BEN_302 = {"ben": 302, "carla": 404, "sam": 404, "maria": 404, "admin": 404}
BEN_200 = {"ben": 200, "carla": 404, "sam": 404, "maria": 404, "admin": 404}
REFUSED_URL = "http://127.0.0.1:9/calendar.ics"  # a private address: refused, never fetched
SUBSCRIPTION = "Pipeline calendar of Ben"
UNKNOWN = "new.person@newco.example"


def _calendar() -> bytes:
    """One meeting a week from now (inside the import window whatever today is)."""
    start = timezone.now().replace(microsecond=0) + timedelta(days=7)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Matrix//EN\r\n"
        "BEGIN:VEVENT\r\nUID:matrix-upload@example.com\r\nDTSTAMP:20261201T100000Z\r\n"
        f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Matrix upload\r\n"
        "ATTENDEE;CN=Nora:mailto:nora@nordwind.example\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def _ben() -> User:
    return User.objects.get(username="ben")


def _ben_s_calendar(records) -> None:
    """ben's subscription and an import with an unknown attendee; a feed address for all."""
    source = CalendarSource.objects.create(
        owner=_ben(), kind="subscription", name=SUBSCRIPTION, url=REFUSED_URL
    )
    records["subscription"] = source
    records["import"] = CalendarImport.objects.create(
        source=source,
        by=_ben(),
        name=REFUSED_URL,
        result={"created": 0, "updated": 0, "cancelled": 0, "unchanged": 0, "errors": []},
        names={UNKNOWN: {"name": "New Person", "meetings": []}},
    )
    for user in User.objects.all():
        FeedToken.objects.create(user=user, token=f"matrix-old-{user.username}")


def _subscription(records) -> dict:
    return {"pk": records["subscription"].pk}


def _upload(records, user) -> dict:
    return {"file": SimpleUploadedFile("matrix.ics", _calendar(), content_type="text/calendar")}


def _imported(records) -> bool:
    return Activity.objects.filter(source="calendar", subject="Matrix upload").exists()


CASES: list[Case] = [
    Case(
        "calendars:page",
        {"GET": EVERYONE_200},
        setup=_ben_s_calendar,
        shows=SUBSCRIPTION,
        shown_to=BEN,
    ),
    Case(
        "calendars:upload",
        {"GET": METHOD_NOT_ALLOWED, POST: ALL_302, POST_HX: EVERYONE_200},
        data=_upload,
        changed=_imported,
        changers=LOGGED_IN,
        fragment='<div id="uploads">',
    ),
    Case(
        "calendars:subscribe",
        {"GET": METHOD_NOT_ALLOWED, POST: ALL_302, POST_HX: EVERYONE_200},
        data=lambda r, user: {"url": "http://127.0.0.1:9/other.ics", "name": "Matrix feed"},
        changed=lambda r: CalendarSource.objects.filter(name="Matrix feed").exists(),
        changers=LOGGED_IN,
        fragment='<div id="subscriptions">',
    ),
    Case(
        "calendars:sync",
        {"GET": METHOD_NOT_ALLOWED, POST: BEN_302, POST_HX: BEN_200},
        kwargs=_subscription,
        setup=_ben_s_calendar,
        changed=lambda r: CalendarSource.objects.filter(
            name=SUBSCRIPTION, last_synced_at__isnull=False
        ).exists(),
        changers=BEN,
        fragment='<div id="subscriptions">',
        shows="on a private or local network",
        shown_to=BEN,
    ),
    Case(
        "calendars:unsubscribe",
        {"GET": METHOD_NOT_ALLOWED, POST: BEN_302, POST_HX: BEN_200},
        kwargs=_subscription,
        setup=_ben_s_calendar,
        changed=lambda r: not CalendarSource.objects.filter(name=SUBSCRIPTION).exists(),
        changers=BEN,
        fragment='<div id="subscriptions">',
    ),
    Case(
        "calendars:preferences",
        {"GET": METHOD_NOT_ALLOWED, POST: ALL_302, POST_HX: EVERYONE_200},
        data=lambda r, user: {"time_zone": "Asia/Tokyo"},
        changed=lambda r: User.objects.filter(time_zone="Asia/Tokyo").exists(),
        changers=LOGGED_IN,
        fragment='<div id="preferences">',
    ),
    Case(
        "calendars:feed-regenerate",
        {"GET": METHOD_NOT_ALLOWED, POST: ALL_302, POST_HX: EVERYONE_200},
        setup=_ben_s_calendar,
        changed=lambda r: FeedToken.objects.exclude(token__startswith="matrix-old-").exists(),
        changers=LOGGED_IN,
        fragment='<div id="feed">',
    ),
    Case(
        "calendars:create-contact",
        {"GET": METHOD_NOT_ALLOWED, POST: BEN_302, POST_HX: BEN_200},
        kwargs=lambda r: {"pk": r["import"].pk},
        setup=_ben_s_calendar,
        data=lambda r, user: {"email": UNKNOWN},
        changed=lambda r: Contact.objects.filter(email=UNKNOWN).exists(),
        changers=BEN,
        fragment='<li id="unknown-',
    ),
]
