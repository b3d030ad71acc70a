"""Calendar import: one service behind the upload page, `import_calendar` and `sync_calendars`.

`import_into(source=…, data=…, by=…)` reads a file (calendars/ics.py), decides per occurrence
whether it is new, newer, cancelled or unchanged, and writes in one transaction, in bulk, the
way the record services do (crm/records.py): every meeting validated, stamped with who, each
change a new version with a history row, the activity rollup recounted for the days touched
(contacts/rollups.py). A file refused whole (ics.Rejected) changes nothing.

Per occurrence, by its key within the source:
- new → created (a cancelled one is not: there is nothing to cancel);
- a newer version (SEQUENCE, then LAST-MODIFIED) → updated, or cancelled if it says so; a
  newer version with the same content only records the version, and counts as unchanged;
- the same or an older version → unchanged; except that a meeting cancelled because it had
  gone from its subscription comes back ("revived") when it reappears as it was;
- a series cancelled as a whole cancels every meeting of it, inside the window or not;
- a subscription's meeting inside the window whose occurrence is gone from the feed is
  cancelled (`prune=True`). Cancelled meetings are kept, never deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from calendars import fetch, ics
from calendars.models import CalendarImport, CalendarSource
from calendars.people import Directory
from contacts import bulk, duplicates
from contacts.models import Activity, Company, Contact
from contacts.normalize import email_domain, normalize_email
from crm.records import record_create

logger = logging.getLogger(__name__)
BATCH = 500
BUSY = "Busy"
HISTORY_REASON = "Calendar import"
# What an import writes on a meeting it updates (besides who, when and the version).
CALENDAR_FIELDS = [
    "subject",
    "body",
    "occurs_at",
    "ends_at",
    "all_day",
    "cancelled",
    "ical_sequence",
    "ical_last_modified",
    "ical_digest",
]


@dataclass
class Result:
    """What one import did: the command's JSON (`as_json`), counts per occurrence."""

    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)
    matched_contacts: int = 0
    unknown_attendees: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # For the page, not the JSON: e-mail -> {"name": CN, "meetings": [ids]} of each unknown.
    unknown: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "cancelled": self.cancelled,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "matched_contacts": self.matched_contacts,
            "unknown_attendees": self.unknown_attendees,
            "errors": self.errors,
        }

    @classmethod
    def failed(cls, message: str) -> Result:
        return cls(errors=[message])

    @property
    def ok(self) -> bool:
        return not self.errors


def summary(result: Result) -> str:
    """ "3 created, 1 updated, 0 cancelled, 2 unchanged, 1 skipped; 2 contacts matched"."""
    counts = ", ".join(
        f"{getattr(result, name)} {name}"
        for name in ("created", "updated", "cancelled", "unchanged")
    )
    contacts = "contact" if result.matched_contacts == 1 else "contacts"
    return f"{counts}, {len(result.skipped)} skipped; {result.matched_contacts} {contacts} matched"


# ---- sources -------------------------------------------------------------------------------


def uploads_source(user) -> CalendarSource:
    """The one source all of a user's uploads (and command-line imports) share."""
    source, _ = CalendarSource.objects.get_or_create(
        owner=user, kind=CalendarSource.Kind.UPLOADS, defaults={"name": "Uploaded files"}
    )
    return source


def user_zone(user):
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def window(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return (
        now - timedelta(days=settings.HUDDLE_CALENDAR_DAYS_BACK),
        now + timedelta(days=settings.HUDDLE_CALENDAR_DAYS_AHEAD),
    )


# ---- the import ----------------------------------------------------------------------------


def import_into(
    *,
    source: CalendarSource,
    data: bytes,
    by,
    name: str = "",
    prune: bool = False,
    now: datetime | None = None,
) -> Result:
    """Import a calendar file into `source` on behalf of its owner `by`; `ics.Rejected` if the
    file is refused whole (nothing is changed then). `prune`: the file is the whole calendar
    (a subscription), so what is gone from it inside the window is cancelled."""
    span = window(now)
    parsed = ics.read(
        data,
        window=span,
        user_zone=user_zone(by),
        day_zone=timezone.get_default_timezone(),
    )
    with transaction.atomic():
        # One import of a source at a time: its row, then its meetings, are locked.
        CalendarSource.objects.select_for_update().filter(pk=source.pk).first()
        result = _Import(source, by, parsed, span, prune).run()
        CalendarImport.objects.create(
            source=source,
            by=by,
            name=name[:300],
            ok=True,
            result=result.as_json(),
            names=result.unknown,
        )
        _forget_old_imports(source)
    return result


KEPT_IMPORTS = 20


def _forget_old_imports(source: CalendarSource) -> None:
    """A source keeps the results of its last imports only (a subscription syncs all day)."""
    old = CalendarImport.objects.filter(source=source).order_by("-at", "-id")[KEPT_IMPORTS:]
    ids = list(old.values_list("pk", flat=True))
    if ids:
        CalendarImport.objects.filter(pk__in=ids).delete()


class _Import:
    def __init__(self, source, by, parsed: ics.Parsed, span, prune: bool):
        self.source, self.by, self.parsed, self.span, self.prune = source, by, parsed, span, prune
        self.result = Result(skipped=list(parsed.skipped))
        self.now = timezone.now()
        self.creates: list[tuple[Activity, ics.Occurrence]] = []
        self.updates: list[tuple[Activity, ics.Occurrence | None, str]] = []  # …, bucket
        self.quiet: list[Activity] = []  # only the calendar version recorded
        self.links: dict[str, list[int]] = {}  # occurrence key -> contacts to link
        self.old_rollup_keys: set = set()
        self._created: dict[str, Activity] = {}

    def run(self) -> Result:
        existing = {
            a.external_id: a
            for a in Activity.all_objects.select_for_update().filter(
                source=Activity.Source.CALENDAR, calendar_source=self.source
            )
        }
        occurrences = {o.key: o for o in self.parsed.occurrences}  # a later key wins
        shown = [o for o in occurrences.values() if self._details(o)]
        directory = Directory(self.by, (p.email for o in shown for p in o.people))
        matches = {o.key: directory.match(p.email for p in o.people) for o in shown}
        names = {p.email: p.name for o in shown for p in o.people}

        handled = set()
        for key, occurrence in occurrences.items():
            prior = existing.get(key)
            handled.add(key)
            self._decide(occurrence, prior, matches.get(key))
        self._cancel_series(existing, handled)
        if self.prune:
            self._cancel_gone(existing, handled)
        self._write(existing)

        linked = {pk for key in occurrences for pk in self.links.get(key, [])}
        self.result.matched_contacts = len(linked)
        unknown = sorted({e for m in matches.values() for e in m.unknown})
        self.result.unknown_attendees = unknown
        by_email: dict[str, list[int]] = {}
        for key, match in matches.items():
            activity = self._activity_of(key, existing)
            for email in match.unknown:
                if activity is not None:
                    by_email.setdefault(email, []).append(activity.pk)
        self.result.unknown = {
            e: {"name": names.get(e, ""), "meetings": by_email.get(e, [])} for e in unknown
        }
        return self.result

    # ---- deciding ------------------------------------------------------------------------

    def _details(self, occurrence: ics.Occurrence) -> bool:
        """Whether the occurrence's details (title, place, people) come in: not for a private
        one, unless the source opted in."""
        return not occurrence.private or self.source.private_details

    def _content(self, occurrence: ics.Occurrence) -> dict:
        details = self._details(occurrence)
        body = []
        if details and occurrence.location:
            body.append(f"Location: {occurrence.location}")
        if details and occurrence.description:
            body.append(occurrence.description)
        subject = (occurrence.summary or "(no title)") if details else BUSY
        values = {
            "subject": subject[:200],
            "body": "\n\n".join(body),
            "occurs_at": occurrence.start,
            "ends_at": occurrence.end,
            "all_day": occurrence.all_day,
        }
        people = sorted(p.email for p in occurrence.people) if details else []
        digest = json.dumps(
            [
                values["subject"],
                values["body"],
                occurrence.start.isoformat(),
                occurrence.end.isoformat() if occurrence.end else "",
                occurrence.all_day,
                people,
                occurrence.cancelled,
            ]
        )
        values["ical_digest"] = hashlib.sha256(digest.encode()).hexdigest()
        return values

    def _decide(self, occurrence: ics.Occurrence, prior: Activity | None, match) -> None:
        content = self._content(occurrence)
        version = (occurrence.sequence, occurrence.last_modified)
        if match is not None and match.contact_ids:
            self.links[occurrence.key] = match.contact_ids
        if prior is None:
            if occurrence.cancelled:
                self.result.unchanged += 1  # nothing to cancel: not created
                return
            activity = Activity(
                kind=Activity.Kind.MEETING,
                source=Activity.Source.CALENDAR,
                calendar_source=self.source,
                external_id=occurrence.key,
                owner=self.by,
                created_by=self.by,
                updated_by=self.by,
                created_at=self.now,
                updated_at=self.now,
                company_id=match.company_id if match else None,
                deal_id=match.deal_id if match else None,
                ical_sequence=occurrence.sequence,
                ical_last_modified=occurrence.last_modified,
                **content,
            )
            self.creates.append((activity, occurrence))
            return
        stored = (prior.ical_sequence or 0, prior.ical_last_modified)
        if ics.newer(version, stored):
            prior.ical_sequence, prior.ical_last_modified = version
            if (
                content["ical_digest"] == prior.ical_digest
                and prior.cancelled == occurrence.cancelled
            ):
                self.quiet.append(prior)
                self.result.unchanged += 1
                return
            self._change(prior, content, occurrence, cancelled=occurrence.cancelled, match=match)
            return
        revived = (
            version == stored
            and prior.cancelled
            and not occurrence.cancelled
            and content["ical_digest"] == prior.ical_digest
        )
        if revived:  # cancelled because it had gone from the subscription; it is back
            self._change(prior, content, occurrence, cancelled=False, match=match)
            return
        self.result.unchanged += 1

    def _change(self, prior: Activity, content: dict, occurrence, *, cancelled: bool, match):
        self.old_rollup_keys.add(bulk.rollup_key(prior))
        became_cancelled = cancelled and not prior.cancelled
        for name, value in content.items():
            setattr(prior, name, value)
        prior.cancelled = cancelled
        if match is not None:
            prior.company_id = prior.company_id or match.company_id
            prior.deal_id = prior.deal_id or match.deal_id
        bucket = "cancelled" if became_cancelled else "updated"
        self.updates.append((prior, occurrence, bucket))
        setattr(self.result, bucket, getattr(self.result, bucket) + 1)

    def _cancel(self, prior: Activity) -> None:
        prior.cancelled = True
        self.updates.append((prior, None, "cancelled"))
        self.result.cancelled += 1

    def _cancel_series(self, existing: dict, handled: set) -> None:
        """A series cancelled as a whole: every meeting of it the cancellation is newer than."""
        for uid, version in self.parsed.cancelled_series.items():
            single = ics._key(uid, None)
            prefix = single + "/"
            for key, prior in existing.items():
                if key in handled or prior.cancelled:
                    continue
                if key != single and not key.startswith(prefix):
                    continue
                if ics.newer(version, (prior.ical_sequence or 0, prior.ical_last_modified)):
                    handled.add(key)
                    prior.ical_sequence, prior.ical_last_modified = version
                    self._cancel(prior)

    def _cancel_gone(self, existing: dict, handled: set) -> None:
        """A subscription's meeting inside the window whose occurrence the feed no longer has."""
        lo, hi = self.span
        described = {ics._key(uid, None) for uid in self.parsed.uids}
        bad = {ics._key(uid, None) for uid in self.parsed.bad_uids}
        for key, prior in existing.items():
            if key in handled or prior.cancelled or not lo <= prior.occurs_at <= hi:
                continue
            series = key.split("/", 1)[0] if "/" in key else key
            if key in described or series in bad or key in bad:
                continue  # a single event still there (moved out of the window), or unreadable
            handled.add(key)
            self._cancel(prior)

    # ---- writing -------------------------------------------------------------------------

    def _activity_of(self, key: str, existing: dict) -> Activity | None:
        return existing.get(key) or self._created.get(key)

    def _write(self, existing: dict) -> None:
        valid = []
        for activity, occurrence in self.creates:
            try:
                _validate(activity)
            except ValidationError as error:
                self.result.skipped.append({"uid": occurrence.uid, "reason": _reason(error)})
                continue
            valid.append(activity)
        Activity.objects.bulk_create(valid, batch_size=BATCH)
        for activity in valid:
            activity._loaded_version = activity.version
            self._created[activity.external_id] = activity
        self.result.created = len(valid)
        if valid:
            Activity.history.bulk_history_create(
                valid,
                batch_size=BATCH,
                default_user=self.by,
                default_change_reason=HISTORY_REASON,
                default_date=self.now,
            )

        changed = []
        for activity, occurrence, bucket in self.updates:
            try:
                _validate(activity)
            except ValidationError as error:
                uid = occurrence.uid if occurrence else activity.external_id
                self.result.skipped.append({"uid": uid, "reason": _reason(error)})
                setattr(self.result, bucket, getattr(self.result, bucket) - 1)
                continue
            # The rows are locked (select_for_update in run): the version moves on under the lock.
            activity.version += 1
            activity.updated_by = self.by
            activity.updated_at = self.now
            changed.append(activity)
        fields = [*CALENDAR_FIELDS, "company", "deal", "version", "updated_by", "updated_at"]
        Activity.objects.bulk_update(changed, fields, batch_size=BATCH)
        if changed:
            Activity.history.bulk_history_create(
                changed,
                batch_size=BATCH,
                update=True,
                default_user=self.by,
                default_change_reason=HISTORY_REASON,
                default_date=self.now,
            )
        Activity.objects.bulk_update(
            self.quiet, ["ical_sequence", "ical_last_modified"], batch_size=BATCH
        )
        self._link(existing)
        bulk.refresh_rollups([*valid, *changed], self.old_rollup_keys)

    def _link(self, existing: dict) -> None:
        """Each meeting linked to the contacts it matched; links there already are kept."""
        wanted, old = set(), set()
        for key, contact_ids in self.links.items():
            activity = self._activity_of(key, existing)
            if activity is not None and activity.pk is not None:
                wanted |= {(activity.pk, c) for c in contact_ids}
                if key in existing:
                    old.add(activity.pk)
        bulk.add_links(Activity.contacts.through, "activity_id", "contact_id", wanted, old)


def _validate(activity: Activity) -> None:
    """The record services' validation (crm/records.py `validate`) without its per-record
    queries: relations were just looked up within visibility, and the keys are unique by
    construction (the database's constraint still guards them)."""
    exclude = {f.name for f in activity._meta.concrete_fields if f.is_relation}
    activity.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _reason(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


# ---- entry points --------------------------------------------------------------------------


def import_upload(*, user, data: bytes, name: str = "") -> Result:
    """An uploaded file (or a path given to the command) into the user's uploads source.
    A refused file is recorded (the page shows why) and changes nothing else."""
    source = uploads_source(user)
    try:
        return import_into(source=source, data=data, by=user, name=name)
    except ics.Rejected as rejected:
        result = Result.failed(str(rejected))
        CalendarImport.objects.create(
            source=source, by=user, name=name[:300], ok=False, result=result.as_json()
        )
        return result


def import_url(*, user, url: str) -> Result:
    """A one-off import of an address (the command's URL argument): fetched once, into the
    user's uploads source, like a file."""
    try:
        fetched = fetch.fetch(url)
    except fetch.FetchFailed as failure:
        return Result.failed(str(failure))
    return import_upload(user=user, data=fetched.body, name=url)


def sync(source: CalendarSource, *, now: datetime | None = None) -> Result:
    """Fetch a subscription and import it. A failure (the server, the limits, not a calendar)
    changes no meeting; it is stored as the subscription's last result, with the time."""
    at = timezone.now()
    try:
        fetched = fetch.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified_header
        )
        if fetched.status == 304:
            result = Result(unchanged=_count_in_window(source, now))
        else:
            result = import_into(
                source=source,
                data=fetched.body,
                by=source.owner,
                name=source.url,
                prune=True,
                now=now,
            )
            source.etag, source.last_modified_header = fetched.etag, fetched.last_modified
    except (fetch.FetchFailed, ics.Rejected) as failure:
        result = Result.failed(str(failure))
    source.last_synced_at = at
    source.last_ok = result.ok
    source.last_result = result.as_json()
    update = ["last_synced_at", "last_ok", "last_result"]
    if result.ok:
        update += ["etag", "last_modified_header"]
    source.save(update_fields=update)
    return result


def _count_in_window(source: CalendarSource, now=None) -> int:
    lo, hi = window(now)
    return Activity.objects.filter(
        calendar_source=source, source=Activity.Source.CALENDAR, occurs_at__range=(lo, hi)
    ).count()


def sync_all(*, now: datetime | None = None) -> list[tuple[CalendarSource, Result]]:
    """Every subscription of every active user, one after the other (`sync_calendars`)."""
    sources = CalendarSource.objects.filter(
        kind=CalendarSource.Kind.SUBSCRIPTION, owner__is_active=True
    ).select_related("owner")
    results = []
    for source in sources.order_by("pk"):
        try:
            result = sync(source, now=now)
        except Exception:  # one broken subscription must not stop the others
            logger.exception("Calendar sync of subscription %s failed", source.pk)
            result = Result.failed("The sync failed unexpectedly; it will be tried again.")
        results.append((source, result))
    return results


# ---- unknown attendees -> contacts ---------------------------------------------------------


@dataclass
class NewContact:
    contact: Contact | None
    message: str  # what happened, for the page
    url: str = ""  # the record it names, when the user may open it


def name_parts(name: str, email: str) -> tuple[str, str]:
    """ "Nils Neu" -> ("Nils", "Neu"); no name: from the address, "olaf.ohne@…" -> ("Olaf",
    "Ohne"), "info@…" -> ("", "Info")."""
    name = " ".join(name.replace('"', " ").split())
    if not name or "@" in name:
        local = email.split("@", 1)[0]
        name = " ".join(part.capitalize() for part in re.split(r"[._\-+]+", local) if part)
    first, _, last = name.rpartition(" ")
    return first[:80], (last or name)[:80]


@transaction.atomic
def contact_from_attendee(*, user, record: CalendarImport, email: str) -> NewContact:
    """One click on an unknown address of an import: a contact of `user`'s, with the company of
    a non-free-mail domain (the visible one with that domain, or a new one), linked to the
    meetings the address was on. The duplicate check of the contact form applies: an exact
    e-mail match — one the user may see or not — is reported instead of a second contact."""
    email = normalize_email(email)
    entry = (record.names or {}).get(email)
    if entry is None:
        raise ValueError("This address is not among the import's unknown attendees.")
    for match in duplicates.contact_duplicates(user, email=email):
        if match.detail.startswith("same e-mail") or not match.url:
            message = (
                f"{email} is already a contact: {match.title}."
                if match.url
                else f"{email}: {match.detail}."
            )
            return NewContact(None, message, match.url)
    first, last = name_parts(entry.get("name", ""), email)
    company = _company_for(user, email_domain(email))
    contact = record_create(
        record=Contact(first_name=first, last_name=last, email=email, company=company),
        by=user,
    )
    meetings = Activity.objects.filter(pk__in=entry.get("meetings", []), owner=user)
    Activity.contacts.through.objects.bulk_create(
        [
            Activity.contacts.through(activity_id=pk, contact_id=contact.pk)
            for pk in meetings.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    entry["contact"] = contact.pk
    record.save(update_fields=["names"])
    where = f" at {company}" if company else ""
    return NewContact(contact, f"Added {contact}{where}.", contact.get_absolute_url())


def _company_for(user, domain: str) -> Company | None:
    if not domain or domain in duplicates.FREE_MAIL:
        return None
    found = Company.objects.visible_to(user).filter(domain=domain).order_by("pk").first()
    if found is not None:
        return found
    labels = domain.split(".")
    # "kunde.example" -> Kunde; "client-ag.co.uk" -> Client Ag: the longest label before the last
    label = max(labels[:-1], key=len) if len(labels) > 1 else domain
    return record_create(
        record=Company(name=label.replace("-", " ").title(), domain=domain), by=user
    )
