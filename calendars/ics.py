"""Reading an iCalendar file: from its bytes to the occurrences that start inside a window.

icalendar parses, x-wr-timezone brings X-WR-TIMEZONE calendars into RFC 5545 form and
recurring-ical-events expands the series; this module only prepares what they are given and
reads what they return:

- Text: a BOM is stripped, CRLF, LF and CR all end a line, and folded lines are unfolded as
  bytes *before* decoding, because a fold may split a UTF-8 character in two.
- Structure: a file that is not one complete VCALENDAR (a vCard, an HTML page, a file cut short
  with an unclosed component) is refused whole (`Rejected`) before anything is read from it.
- Time zones: icalendar keeps custom VTIMEZONEs (Outlook's "Customized Time Zone") in a
  per-process cache keyed by TZID, so a second file with the same TZID and other rules would
  get the first file's zone. Every parse starts from an empty cache, under a lock (`_parse`).
  Windows zone names ("W. Europe Standard Time") are icalendar's to map. Floating times are
  read in X-WR-TIMEZONE when the calendar has one, else in the importing user's zone; dates
  are all-day occurrences.
- RRULE UNTIL without a Z (or a DATE) on a start with a zone is, per RFC 5545, a time in that
  zone and inclusive; recurring-ical-events reads it as UTC, which drops the last instance west
  of Greenwich. `_fix_until` rewrites it as the UTC instant it means before expanding.
- Versions: among copies of one UID (and RECURRENCE-ID) in a file the newest by SEQUENCE, then
  LAST-MODIFIED wins, wherever it stands; DTSTAMP never counts.
- Keys: a single event is its UID; an instance of a series is its UID and its RECURRENCE-ID (its
  original start), so a moved instance keeps its meeting. An event without a UID gets a stable
  one from DTSTART, SUMMARY and ORGANIZER (a re-export with a new DTSTAMP changes nothing).
- One bad event (an impossible date, a broken rule) is skipped and reported; the rest import.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar

MAX_KEY = 255  # contacts.Activity.external_id
_BEGIN = re.compile(r"^BEGIN:([A-Za-z0-9-]+)$", re.IGNORECASE)
_END = re.compile(r"^END:([A-Za-z0-9-]+)$", re.IGNORECASE)
_FOLD = re.compile(rb"\n[ \t]")
_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "RDATE", "EXDATE")
# icalendar's zone cache is one per process: parses take turns with it (see the docstring).
_PARSE_LOCK = threading.Lock()


class Rejected(Exception):
    """The whole file is refused; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Person:
    email: str  # lower-cased
    name: str


@dataclass
class Occurrence:
    key: str
    uid: str
    start: datetime  # aware; for an all-day occurrence the start of its date
    end: datetime | None
    all_day: bool
    summary: str
    location: str
    description: str
    people: list[Person]  # organiser first, then the attendees; no duplicates
    cancelled: bool
    private: bool
    sequence: int
    last_modified: datetime | None


@dataclass
class Parsed:
    occurrences: list[Occurrence] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"uid": …, "reason": …}
    # Every UID the file describes (good or bad), and the version of each whose whole series
    # the file cancels (STATUS:CANCELLED on the series, or METHOD:CANCEL).
    uids: set[str] = field(default_factory=set)
    bad_uids: set[str] = field(default_factory=set)
    cancelled_series: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)
    method: str = ""


# ---- text and structure --------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: BOM stripped, lines unfolded as bytes, then decoded, ends as CRLF."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        data = data.decode("utf-16").encode("utf-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    data = _FOLD.sub(b"", data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8, as RFC 5545 requires: old exporters write Windows-1252.
        text = data.decode("cp1252", errors="replace")
    return text


def check_structure(text: str) -> list[str]:
    """The file's non-empty lines, if they are one complete VCALENDAR; `Rejected` otherwise."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        raise Rejected("The file is empty.")
    first = lines[0].strip().upper()
    if first != "BEGIN:VCALENDAR":
        head = text.lstrip()[:200].lower()
        if first == "BEGIN:VCARD":
            raise Rejected("This is an address book (vCard), not a calendar.")
        if head.startswith("<") or "<html" in head:
            raise Rejected("This is a web page (HTML), not a calendar.")
        raise Rejected("This is not a calendar: it does not begin with BEGIN:VCALENDAR.")
    stack: list[str] = []
    closed = False
    for number, line in enumerate(lines, 1):
        if closed:
            raise Rejected(
                f"Line {number}: more follows END:VCALENDAR; one calendar per file, please."
            )
        if match := _BEGIN.match(line.strip()):
            stack.append(match.group(1).upper())
        elif match := _END.match(line.strip()):
            name = match.group(1).upper()
            if not stack or stack[-1] != name:
                opened = f"BEGIN:{stack[-1]}" if stack else "nothing"
                raise Rejected(f"Line {number}: END:{name} closes {opened}; the file is broken.")
            stack.pop()
            closed = not stack
    if stack:
        raise Rejected(
            f"The file is incomplete: BEGIN:{stack[-1]} is never closed (no END:{stack[-1]}"
            f"{'' if stack[-1] == 'VCALENDAR' else ', and no END:VCALENDAR'}). Was it cut short?"
        )
    return lines


def _parse(lines: list[str]) -> Calendar:
    """icalendar's parse, from an empty cache of custom time zones (see the module docstring).

    A VTIMEZONE is cached when the parser reaches its END, so a file that defines its zones
    after the events using them is parsed a second time, with its own zones known.
    """
    text = "\r\n".join(lines) + "\r\n"
    with _PARSE_LOCK:
        icalendar.use_zoneinfo()  # forgets every custom zone of earlier files
        try:
            calendar = Calendar.from_ical(text)
            last_zone = text.upper().rfind("BEGIN:VTIMEZONE")
            if last_zone > text.upper().find("BEGIN:VEVENT") >= 0:
                calendar = Calendar.from_ical(text)
        except Exception as error:  # icalendar raises ValueError and others for broken files
            raise Rejected(f"This calendar cannot be read: {error}") from error
    if calendar.name != "VCALENDAR":
        raise Rejected("This is not a calendar (no VCALENDAR).")
    return calendar


# ---- reading events ------------------------------------------------------------------------


def _text(component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).strip()


def _version(component) -> tuple[int, datetime | None]:
    try:
        sequence = int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        sequence = 0
    modified = component.get("LAST-MODIFIED")
    moment = getattr(modified, "dt", None)
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    else:
        moment = None
    return sequence, moment


def newer(a: tuple[int, datetime | None], b: tuple[int, datetime | None]) -> bool:
    """Whether version a is newer than b: a higher SEQUENCE, or the same and a later
    LAST-MODIFIED (none is older than any)."""
    if a[0] != b[0]:
        return a[0] > b[0]
    return a[1] is not None and (b[1] is None or a[1] > b[1])


def moment_key(value) -> str:
    """A RECURRENCE-ID or start as text: UTC for a time with a zone, as written for a floating
    time (its meaning follows the calendar) and for a date."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def _key(uid: str, recurrence: str | None) -> str:
    key = uid if recurrence is None else f"{uid}/{recurrence}"
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(uid.encode()).hexdigest()
    return f"sha256:{digest}" if recurrence is None else f"sha256:{digest}/{recurrence}"


def _problem(component) -> str | None:
    """Why this event cannot be imported, or None."""
    for name, message in getattr(component, "errors", []):
        if name in _TIME_PROPERTIES or name is None:
            return f"{name or 'a line'} cannot be read: {message}"
    start = component.get("DTSTART")
    if start is None:
        return "it has no start (DTSTART)"
    if isinstance(start, list):
        return "it has more than one start (DTSTART)"
    return None


def _stable_uid(component) -> str:
    """A key for an event without a UID, from what a re-export keeps: DTSTART (with its zone),
    SUMMARY and ORGANIZER."""
    start = component.get("DTSTART")
    raw = start.to_ical().decode() if hasattr(start, "to_ical") else str(start)
    zone = start.params.get("TZID", "") if hasattr(start, "params") else ""
    parts = [zone, raw, _text(component, "SUMMARY"), _text(component, "ORGANIZER").lower()]
    return "no-uid-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _address(value) -> Person | None:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    text = text.strip().lower()
    if "@" not in text or " " in text:
        return None
    params = getattr(value, "params", {}) or {}
    return Person(text, str(params.get("CN", "")).strip().strip('"'))


def _people(component) -> list[Person]:
    found: dict[str, Person] = {}
    organizer = component.get("ORGANIZER")
    attendees = component.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    for value in ([organizer] if organizer is not None else []) + attendees:
        person = _address(value)
        if person and (person.email not in found or not found[person.email].name):
            found[person.email] = person
    return list(found.values())


def _fix_until(component, wr_zone) -> None:
    """UNTIL without a Z, or a DATE, on a start with a zone: the instant it means, in UTC (RFC
    5545: a local time in the start's zone; a date includes its whole day). A floating start
    is in X-WR-TIMEZONE when the calendar has one (x-wr-timezone moves it there), else it stays
    floating, and so does its UNTIL."""
    rules = component.get("RRULE")
    if rules is None:
        return
    start = component["DTSTART"].dt
    if not isinstance(start, datetime):
        return
    zone = start.tzinfo or wr_zone
    for rule in rules if isinstance(rules, list) else [rules]:
        untils = rule.get("UNTIL")
        if not untils:
            continue
        until = untils[0]
        if isinstance(until, datetime):
            if until.tzinfo is not None:
                continue
            local = until
        else:  # a date: the whole day
            local = datetime.combine(until, time(23, 59, 59))
        rule["UNTIL"] = [local if zone is None else local.replace(tzinfo=zone).astimezone(UTC)]


def _zone_of(calendar) -> tzinfo | None:
    name = _text(calendar, "X-WR-TIMEZONE")
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return icalendar.timezone.tzp.timezone(name)  # a Windows name, say


def read(
    data: bytes, *, window: tuple[datetime, datetime], user_zone: tzinfo, day_zone: tzinfo
) -> Parsed:
    """The occurrences of the file's events whose start lies in `window` (aware datetimes).

    Floating times without X-WR-TIMEZONE are read in `user_zone`; an all-day occurrence starts
    at midnight of its date in `day_zone` (the organisation's, where Huddle shows days).
    """
    lines = check_structure(decode(data))
    calendar = _parse(lines)
    parsed = Parsed(method=_text(calendar, "METHOD").upper())
    # Floating times: in X-WR-TIMEZONE if the calendar names one, else in the user's zone.
    wr_zone = _zone_of(calendar)
    zones = (wr_zone or user_zone, day_zone)

    # The newest copy of each (UID, RECURRENCE-ID), wherever it stands in the file.
    chosen: dict[tuple[str, str | None], object] = {}
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            continue
        uid = _text(component, "UID")
        problem = _problem(component)
        if not uid:
            uid = _stable_uid(component) if problem is None else "(no UID)"
            component["UID"] = uid
        parsed.uids.add(uid)
        if problem is not None:
            parsed.skipped.append({"uid": uid, "reason": problem})
            parsed.bad_uids.add(uid)
            continue
        recurrence = component.get("RECURRENCE-ID")
        slot = (uid, moment_key(recurrence.dt) if recurrence is not None else None)
        held = chosen.get(slot)
        if held is None or not newer(_version(held), _version(component)):
            chosen[slot] = component

    series: dict[str, list] = {}
    for (uid, _), component in chosen.items():
        if uid not in parsed.bad_uids:
            series.setdefault(uid, []).append(component)
    described = {
        uid: _describe(uid, components, parsed, wr_zone) for uid, components in series.items()
    }
    try:  # every series in one query: the usual case, and much the fastest
        parsed.occurrences = _expand(described, window, zones, wr_zone, parsed.method)
    except Exception:  # some series cannot be expanded: find it, one series at a time
        parsed.occurrences = []
        for uid, info in described.items():
            try:
                parsed.occurrences += _expand({uid: info}, window, zones, wr_zone, parsed.method)
            except Exception as error:  # a rule recurring-ical-events or dateutil cannot follow
                reason = f"its repetition cannot be read: {error}"
                parsed.skipped.append({"uid": uid, "reason": reason})
                parsed.bad_uids.add(uid)
    return parsed


@dataclass
class _Series:
    components: list
    versions: dict  # RECURRENCE-ID key (None: the series itself) -> (SEQUENCE, LAST-MODIFIED)
    single: bool  # one event, no repetition: its key is its UID


def _describe(uid: str, components: list, parsed: Parsed, wr_zone) -> _Series:
    versions = {}
    master = None
    for component in components:
        recurrence = component.get("RECURRENCE-ID")
        if recurrence is None:
            master = component
            _fix_until(component, wr_zone)
        versions[moment_key(recurrence.dt) if recurrence is not None else None] = _version(
            component
        )
    cancelling = parsed.method == "CANCEL"
    if master is not None and (cancelling or _text(master, "STATUS").upper() == "CANCELLED"):
        parsed.cancelled_series[uid] = versions[None]
    single = (
        len(components) == 1
        and master is not None
        and not any(name in master for name in ("RRULE", "RDATE"))
    )
    return _Series(components, versions, single)


def _expand(described: dict[str, _Series], window, zones, wr_zone, method) -> list[Occurrence]:
    """The occurrences in the window: single events as they are, series expanded by
    recurring-ical-events in one query, after x-wr-timezone moved them into X-WR-TIMEZONE if
    the calendar has one (a series then follows that zone's daylight saving, as its calendar
    shows it). Without one, a floating series is expanded floating and placed afterwards."""
    lo, hi = window
    calendar = Calendar()
    singles = []
    for info in described.values():
        if info.single:
            singles.append(info.components[0])
            continue
        for component in info.components:
            calendar.add_component(component)
    if calendar.subcomponents and wr_zone is not None:
        calendar = x_wr_timezone.to_standard(calendar, timezone=wr_zone)
    # A day's margin: floating and all-day times are compared in their own zone below.
    query = recurring_ical_events.of(calendar)
    found = []
    events = query.between(lo - timedelta(days=1), hi + timedelta(days=1))
    for event in [*singles, *events]:
        start, end = event.start, event.end
        all_day = not isinstance(start, datetime)
        start, end = _instant(start, *zones), _instant(end, *zones)
        if not lo <= start <= hi:
            continue
        uid = _text(event, "UID")
        info = described[uid]
        recurrence = event.get("RECURRENCE-ID")
        recurrence_key = moment_key(recurrence.dt) if recurrence is not None else None
        if info.single:
            key, version = _key(uid, None), info.versions[None]
        else:
            key = _key(uid, recurrence_key or moment_key(event.start))
            version = (
                info.versions.get(recurrence_key) or info.versions.get(None) or _version(event)
            )
        found.append(
            Occurrence(
                key=key,
                uid=uid,
                start=start,
                end=end if end is not None and end > start else None,
                all_day=all_day,
                summary=_text(event, "SUMMARY"),
                location=_text(event, "LOCATION"),
                description=_text(event, "DESCRIPTION"),
                people=_people(event),
                cancelled=method == "CANCEL" or _text(event, "STATUS").upper() == "CANCELLED",
                private=_text(event, "CLASS").upper() in ("PRIVATE", "CONFIDENTIAL"),
                sequence=version[0],
                last_modified=version[1],
            )
        )
    return found


def _instant(value, floating_zone: tzinfo, day_zone: tzinfo) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):  # a date: all day
        return datetime.combine(value, time.min).replace(tzinfo=day_zone)
    if value.tzinfo is None:  # floating: X-WR-TIMEZONE's, else the user's own zone
        return value.replace(tzinfo=floating_zone)
    return value
