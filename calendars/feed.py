"""A user's feed out: their meetings and open tasks as one iCalendar file, for Google, Apple and
Outlook to subscribe to (calendars/views.py serves it at a secret address).

What is in it starts from `Activity.objects.visible_to(user)` (crm/visibility.py), narrowed to
what is the user's own: their meetings, and their open tasks, each task an event at its due time
with a VALARM so the calendar reminds them (Google ignores VTODOs in subscriptions, so tasks are
events). Meetings that came in from a calendar are left out: they are in the user's calendar
already, and a feed subscribed in the calendar it imports from would otherwise echo them back
as copies. A deactivated user's feed is empty (visibility gives them nothing).

Times are written in UTC, which every client reads; all-day meetings as dates. UIDs are stable
per activity, SEQUENCE is the record's version, so an edit in Huddle updates the event.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from contacts.models import Activity
from crm import visibility

PRODID = "-//Huddle//Huddle CRM//EN"
TASK_LENGTH = timedelta(minutes=15)
REFRESH = timedelta(minutes=15)


def feed_activities(user):
    """The user's meetings (not imported ones) and open tasks, as their feed holds them."""
    return (
        visibility.visible(Activity.objects.all(), user)
        .filter(owner=user)
        .filter(
            Q(kind=Activity.Kind.MEETING) & ~Q(source=Activity.Source.CALENDAR)
            | Q(kind=Activity.Kind.TASK, done=False)
        )
        .order_by("occurs_at", "pk")
    )


def uid(activity: Activity) -> str:
    return f"huddle-activity-{activity.pk}@huddle"


def render(user, base_url: str) -> bytes:
    """The feed as bytes; `base_url` ("https://huddle.example") makes each event's link."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Huddle · {user}")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for activity in feed_activities(user).iterator(chunk_size=500):
        calendar.add_component(_event(activity, base_url))
    return calendar.to_ical()


def _event(activity: Activity, base_url: str) -> Event:
    event = Event()
    event.add("uid", uid(activity))
    event.add("dtstamp", activity.updated_at)
    event.add("last-modified", activity.updated_at)
    event.add("sequence", activity.version)
    link = base_url + activity.get_absolute_url()
    event.add("url", link)
    description = "\n\n".join(x for x in (activity.body.strip(), link) if x)
    event.add("description", description)
    if activity.kind == Activity.Kind.TASK:
        event.add("summary", f"Task: {activity.subject}")
        event.add("dtstart", activity.occurs_at)
        event.add("dtend", activity.occurs_at + TASK_LENGTH)
        event.add("transp", "TRANSPARENT")  # a reminder, not busy time
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", activity.subject)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        return event
    event.add("summary", activity.subject)
    if activity.all_day:
        start = activity.occurs_at.astimezone(_zone()).date()
        end = activity.ends_at.astimezone(_zone()).date() if activity.ends_at else None
        event.add("dtstart", start)
        event.add("dtend", end if end and end > start else start + timedelta(days=1))
    else:
        event.add("dtstart", activity.occurs_at)
        if activity.ends_at and activity.ends_at > activity.occurs_at:
            event.add("dtend", activity.ends_at)
    event.add("status", "CANCELLED" if activity.cancelled else "CONFIRMED")
    return event


def _zone():
    return timezone.get_default_timezone()
