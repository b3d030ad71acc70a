"""Importing calendar files (calendars/services.py, calendars/ics.py) with files shaped like
real exports: keys, versions, cancellations, time zones, text, people, privacy, bad input."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars import ics, services
from calendars.models import CalendarImport, CalendarSource
from contacts import rollups
from contacts.models import Activity, ActivityDay
from tests.calendars.conftest import ics as ics_file

BERLIN = ZoneInfo("Europe/Berlin")


def run(user, name, **kw):
    return services.import_upload(user=user, data=ics_file(name), name=name, **kw)


def meetings(user):
    return Activity.all_objects.filter(calendar_source__owner=user).order_by("occurs_at", "pk")


def meeting(user, subject_start):
    return meetings(user).get(subject__startswith=subject_start)


def at(*args):
    return datetime(*args, tzinfo=UTC)


# ---- Done when: the same file twice; Outlook invite, cancellation, older update ------------


def test_the_same_file_imported_twice_reports_everything_unchanged(people):
    ana = people["ana"]
    first = run(ana, "google_export.ics")
    versions = dict(meetings(ana).values_list("pk", "version"))
    history = Activity.history.count()

    second = run(ana, "google_export.ics")

    assert (first.created, first.unchanged) == (5, 1)  # the cancelled instance is not created
    assert second.as_json() == {
        "created": 0,
        "updated": 0,
        "cancelled": 0,
        "unchanged": 6,
        "skipped": [],
        "matched_contacts": 1,
        "unknown_attendees": ["nils.neu@kunde.example"],
        "errors": [],
    }
    assert dict(meetings(ana).values_list("pk", "version")) == versions
    assert Activity.history.count() == history


def test_an_outlook_cancellation_cancels_the_invites_meeting_and_an_older_update_changes_nothing(
    people,
):
    ana = people["ana"]
    invited = run(ana, "outlook_invite.ics")
    created = meetings(ana).get()

    cancelled = run(ana, "outlook_cancel.ics")  # SEQUENCE 2, METHOD:CANCEL
    late_update = run(ana, "outlook_update.ics")  # SEQUENCE 1, arriving after the cancellation

    assert invited.created == 1
    assert (cancelled.cancelled, cancelled.created, cancelled.updated) == (1, 0, 0)
    assert (late_update.unchanged, late_update.updated, late_update.cancelled) == (1, 0, 0)
    kept = meetings(ana).get()  # kept, never deleted
    assert kept.pk == created.pk and kept.cancelled and kept.deleted_at is None
    assert kept.ical_sequence == 2
    assert kept.occurs_at == at(2027, 1, 21, 14, 0)  # where the cancellation put it
    assert kept.subject == "Abgesagt: Quartalsgespräch Client AG"


def test_an_outlook_update_with_a_higher_sequence_moves_the_same_meeting(people):
    ana = people["ana"]
    run(ana, "outlook_invite.ics")
    before = meetings(ana).get()

    updated = run(ana, "outlook_update.ics")

    after = meetings(ana).get()
    assert (updated.updated, updated.created) == (1, 0)
    assert after.pk == before.pk and after.version == before.version + 1
    assert after.occurs_at == at(2027, 1, 21, 14, 0)  # 15:00 W. Europe Standard Time
    assert after.ends_at == at(2027, 1, 21, 15, 0)
    assert after.subject == "Quartalsgespräch Client AG (neuer Termin)"
    assert (
        after.body == "Location: Microsoft Teams\n\nQuartalsgespräch\n\nMicrosoft Teams-Besprechung"
    )
    assert list(after.history.values_list("history_type", "version")) == [("~", 2), ("+", 1)]


def test_an_older_version_imported_after_a_newer_one_changes_nothing(people):
    ana = people["ana"]
    run(ana, "outlook_update.ics")

    older = run(ana, "outlook_invite.ics")

    assert older.unchanged == 1
    assert meetings(ana).get().subject == "Quartalsgespräch Client AG (neuer Termin)"


def test_an_equal_sequence_with_a_newer_last_modified_updates_and_dtstamp_never_counts(people):
    ana = people["ana"]
    original = ics_file("apple_export.ics")
    services.import_upload(user=ana, data=original)
    stamp_only = original.replace(b"DTSTAMP:20261205T160000Z", b"DTSTAMP:20270101T000000Z")
    edited = original.replace(b"SUMMARY:Contract review", b"SUMMARY:Contract review (final)")
    newer_edit = edited.replace(
        b"LAST-MODIFIED:20261205T155900Z", b"LAST-MODIFIED:20261206T090000Z"
    )

    after_stamp = services.import_upload(user=ana, data=stamp_only)
    after_edit_same_version = services.import_upload(user=ana, data=edited)
    after_newer_edit = services.import_upload(user=ana, data=newer_edit)

    assert (after_stamp.unchanged, after_stamp.updated) == (2, 0)
    assert (after_edit_same_version.unchanged, after_edit_same_version.updated) == (2, 0)
    assert (after_newer_edit.updated, after_newer_edit.unchanged) == (1, 1)
    assert meeting(ana, "Contract review").subject == "Contract review (final)"


def test_among_copies_of_one_uid_the_newest_wins_wherever_it_stands(people):
    ana = people["ana"]

    result = run(ana, "duplicate_uids.ics")

    assert result.created == 2
    assert list(meetings(ana).values_list("subject", "occurs_at", "ical_sequence")) == [
        ("Pricing call (v3)", at(2027, 3, 3, 9, 0), 3),  # SEQUENCE 3, in the middle
        ("Demo (later edit)", at(2027, 3, 4, 9, 0), 1),  # same SEQUENCE, later LAST-MODIFIED
    ]


# ---- keys and sources ------------------------------------------------------------------------


def test_two_colleagues_importing_the_same_invite_each_get_their_own_meeting(people, org):
    ana, ben = people["ana"], org["ben"]

    run(ana, "outlook_invite.ics")
    bens = run(ben, "outlook_invite.ics")

    assert bens.created == 1
    assert meetings(ana).get().owner == ana
    assert meetings(ben).get().owner == ben
    assert meetings(ana).get().external_id == meetings(ben).get().external_id


def test_all_uploads_of_a_user_are_one_source(people):
    ana = people["ana"]
    run(ana, "outlook_invite.ics")
    run(ana, "all_day.ics")

    assert CalendarSource.objects.filter(owner=ana).count() == 1
    assert meetings(ana).values("calendar_source").distinct().count() == 1
    assert CalendarImport.objects.filter(source__owner=ana, ok=True).count() == 2


def test_an_instance_moved_in_its_series_keeps_its_key_of_the_original_start(people):
    ana = people["ana"]
    run(ana, "google_export.ics")

    moved = meeting(ana, "Rollout check-in (moved)")

    assert moved.occurs_at == at(2027, 1, 11, 13, 0)  # 14:00 Berlin
    assert moved.external_id == "7kukuqrfedlm2f9t3sn1tjv8cd@google.com/20270111T083000Z"


def test_events_without_a_uid_get_a_stable_key_and_a_re_export_changes_nothing(people):
    ana = people["ana"]
    first = run(ana, "no_uid.ics")
    keys = set(meetings(ana).values_list("external_id", flat=True))

    again = run(ana, "no_uid_reexport.ics")  # the same events, a new DTSTAMP

    assert first.created == 2
    assert (again.unchanged, again.created) == (2, 0)
    assert set(meetings(ana).values_list("external_id", flat=True)) == keys
    assert all(key.startswith("no-uid-") for key in keys)


def test_occurrences_outside_the_window_are_left_out(people, settings):
    settings.HUDDLE_CALENDAR_DAYS_BACK, settings.HUDDLE_CALENDAR_DAYS_AHEAD = 90, 180
    ana = people["ana"]
    source = services.uploads_source(ana)

    # 2026-10-25: 90 days back is 27 Jul 2026; 180 ahead is 23 Apr 2027 (Public holiday on
    # 5 Apr is in; nothing of the file is before). 2027-06-01: 90 back is 3 Mar 2027.
    early = services.import_into(
        source=source, data=ics_file("all_day.ics"), by=ana, now=at(2026, 10, 25)
    )
    late = services.import_into(
        source=source, data=ics_file("all_day.ics"), by=ana, now=at(2027, 6, 1, 12)
    )

    assert early.created == 2
    assert (late.created, late.unchanged) == (0, 2)
    too_late = services.import_into(
        source=source, data=ics_file("google_export.ics"), by=ana, now=at(2027, 8, 1)
    )
    assert too_late.as_json()["created"] == 0 and too_late.unchanged == 0


# ---- cancellations -------------------------------------------------------------------------


def test_cancelled_and_excluded_instances_are_not_created_in_a_first_import(people):
    ana = people["ana"]

    result = run(ana, "cancelled_instances.ics")

    assert (result.created, result.unchanged, result.cancelled) == (3, 2, 0)
    assert [m.occurs_at.day for m in meetings(ana)] == [1, 2, 5]  # 3 excluded, 4 cancelled
    assert not meetings(ana).filter(subject="Cancelled workshop").exists()


def test_a_cancelled_instance_cancels_its_existing_meeting(people):
    ana = people["ana"]
    series = ics_file("cancelled_instances.ics")
    before = series.split(b"BEGIN:VEVENT\r\nUID:series-with-gaps@google.com\r\nRECURRENCE-ID")[0]
    services.import_upload(user=ana, data=before + b"END:VCALENDAR\r\n")
    assert meetings(ana).filter(occurs_at=at(2027, 3, 4, 8, 0), cancelled=False).exists()

    result = run(ana, "cancelled_instances.ics")

    assert (result.cancelled, result.unchanged) == (1, 4)
    assert meetings(ana).get(occurs_at=at(2027, 3, 4, 8, 0)).cancelled


# ---- time ----------------------------------------------------------------------------------


def test_custom_time_zones_of_one_tzid_do_not_mix_between_files(people):
    ana = people["ana"]

    run(ana, "outlook_custom_zone_plus1.ics")
    run(ana, "outlook_custom_zone_minus3.ics")  # same TZID "Customized Time Zone"

    assert meeting(ana, "Plus one").occurs_at == at(2027, 2, 3, 8, 0)
    assert meeting(ana, "Minus three").occurs_at == at(2027, 2, 3, 12, 0)


def test_windows_zone_names_and_a_local_until_on_them(people):
    ana = people["ana"]

    result = run(ana, "outlook_windows_zone_series.ics")

    assert result.created == 4  # the last Tuesday, 26 Jan 09:00 Pacific, is included
    assert [m.occurs_at for m in meetings(ana)] == [
        at(2027, 1, day, 17, 0) for day in (5, 12, 19, 26)
    ]


def test_an_rrule_until_without_z_or_as_a_date_is_local_and_inclusive(people):
    ana = people["ana"]

    run(ana, "local_until.ics")

    standup = meetings(ana).filter(subject__startswith="Standup")
    review = meetings(ana).filter(subject__startswith="Review")
    assert [m.occurs_at for m in standup] == [at(2027, 1, d, 15, 0) for d in (4, 11, 18, 25)]
    assert [m.occurs_at for m in review] == [at(2027, 1, d, 1, 0) for d in (5, 12, 19, 26)]


def test_x_wr_timezone_places_floating_times_and_keeps_utc_ones(people):
    ana = people["ana"]

    run(ana, "floating_x_wr_timezone.ics")

    assert meeting(ana, "Lunch in New York").occurs_at == at(2027, 3, 5, 17, 30)
    assert meeting(ana, "Evening call").occurs_at == at(2027, 3, 5, 20, 0)


def test_floating_times_without_x_wr_timezone_are_in_the_users_time_zone(people, org):
    ana, ben = people["ana"], org["ben"]
    ben.time_zone = "Asia/Tokyo"
    ben.save(update_fields=["time_zone"])

    run(ana, "floating.ics")  # ana: the default, the organisation's zone
    run(ben, "floating.ics")

    assert ana.time_zone == "Europe/Berlin"
    assert meetings(ana).get().occurs_at == at(2027, 3, 5, 7, 30)
    assert meetings(ben).get().occurs_at == at(2027, 3, 4, 23, 30)


def test_all_day_events_are_dates(people):
    ana = people["ana"]

    run(ana, "all_day.ics")

    offsite, holiday = meetings(ana)
    assert offsite.all_day and holiday.all_day
    assert offsite.occurs_at == datetime(2027, 3, 10, tzinfo=BERLIN)
    assert offsite.ends_at == datetime(2027, 3, 12, tzinfo=BERLIN)
    assert rollups.day_of(holiday.occurs_at).isoformat() == "2027-04-05"


def test_google_and_apple_exports_read_their_zones_and_all_day_events(people):
    ana = people["ana"]

    run(ana, "google_export.ics")
    run(ana, "apple_export.ics")

    assert meeting(ana, "Intro call").occurs_at == at(2027, 1, 12, 13, 0)
    fair = meeting(ana, "Trade fair")
    assert fair.all_day and fair.occurs_at == datetime(2027, 2, 15, tzinfo=BERLIN)
    review = meeting(ana, "Contract review")
    assert review.occurs_at == at(2027, 2, 8, 15, 30)  # 10:30 New York
    assert review.body.startswith("Location: Client AG\nMain Street 1\nNew York")
    assert meeting(ana, "Quarter planning").all_day


# ---- text ----------------------------------------------------------------------------------


def test_folded_lines_a_bom_crlf_and_a_fold_inside_a_utf8_character(people):
    ana = people["ana"]

    result = run(ana, "folded_bom_crlf.ics")

    workshop = meetings(ana).get()
    assert result.created == 1
    assert workshop.subject == "Workshop with Frau Müller and Herr Grüße from Straßen AG"
    assert workshop.body == (
        "A long description that an exporter folded at seventy-five octets, as RFC 5545 asks; "
        "the fold may fall anywhere, even inside a character: € 500 budget."
    )


def test_lf_only_files_are_read_too(people):
    assert b"\r\n" not in ics_file("apple_export.ics")

    assert run(people["ana"], "apple_export.ics").created == 2


# ---- people --------------------------------------------------------------------------------


def test_an_attendee_in_any_case_links_the_contact_their_company_and_their_one_open_deal(people):
    ana = people["ana"]

    result = run(ana, "google_export.ics")  # ATTENDEE …:mailto:Ana.Client@Example.COM

    check_in = meeting(ana, "Rollout check-in (moved)")
    assert list(check_in.contacts.all()) == [people["client"]]
    assert check_in.company == people["company"]
    assert check_in.deal == people["deal"]
    assert result.matched_contacts == 1


def test_colleagues_are_neither_contacts_nor_unknown_and_hidden_contacts_are_unknown(people):
    ana = people["ana"]

    result = run(ana, "google_export.ics")

    # ben@huddle.example attends the check-in; ana@huddle.example organises it
    assert "ben@huddle.example" not in result.unknown_attendees
    assert "ana@huddle.example" not in result.unknown_attendees
    # carla's contact: ana may not see it, so it is not linked, and it is listed as unknown
    assert result.unknown_attendees == ["nils.neu@kunde.example"]
    assert not meeting(ana, "Intro call").contacts.exists()
    unknown = CalendarImport.objects.get().names
    assert unknown["nils.neu@kunde.example"]["name"] == "Nils Neu"
    assert unknown["nils.neu@kunde.example"]["meetings"] == [meeting(ana, "Intro call").pk]


def test_the_organiser_is_matched_and_listed_too(people):
    ana = people["ana"]

    result = run(ana, "outlook_invite.ics")  # organised by ana.client@example.com

    invite = meetings(ana).get()
    assert list(invite.contacts.all()) == [people["client"]]
    assert result.unknown_attendees == ["olaf.ohne@example.com"]


def test_with_two_open_deals_no_deal_is_linked(people):
    from tests.factories import DealFactory

    second = DealFactory(title="Client AG support", company=people["company"], owner=people["ana"])
    second.contacts.add(people["client"])

    run(people["ana"], "apple_export.ics")

    review = meeting(people["ana"], "Contract review")
    assert review.deal is None and review.company == people["company"]


# ---- private -------------------------------------------------------------------------------


def test_private_and_confidential_events_come_in_as_busy(people):
    ana = people["ana"]

    result = run(ana, "private.ics")

    assert list(meetings(ana).values_list("subject", "body", "occurs_at")) == [
        ("Busy", "", at(2027, 2, 9, 7, 0)),
        ("Busy", "", at(2027, 2, 10, 13, 0)),
    ]
    assert not Activity.contacts.through.objects.filter(activity__in=meetings(ana)).exists()
    assert result.unknown_attendees == [] and result.matched_contacts == 0


def test_private_details_come_in_when_the_user_opts_in(people):
    ana = people["ana"]
    source = services.uploads_source(ana)
    source.private_details = True
    source.save(update_fields=["private_details"])

    result = run(ana, "private.ics")

    doctor = meeting(ana, "Doctor")
    assert doctor.body == "Location: Praxis Dr. Weiss\n\nBring the referral"
    assert result.unknown_attendees == ["olaf.ohne@example.com", "secret.person@takeover.example"]


# ---- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.ics", "incomplete: BEGIN:VEVENT is never closed"),
        ("no_end_vcalendar.ics", "incomplete: BEGIN:VCALENDAR is never closed"),
        ("contact.vcf", "address book (vCard), not a calendar"),
        ("page.html", "web page (HTML), not a calendar"),
    ],
)
def test_a_broken_or_foreign_file_is_refused_whole_and_changes_nothing(people, name, message):
    ana = people["ana"]
    run(ana, "outlook_invite.ics")
    before = list(Activity.all_objects.values())

    result = run(ana, name)

    assert not result.ok and message in result.errors[0]
    assert result.created == result.updated == result.cancelled == result.unchanged == 0
    assert list(Activity.all_objects.values()) == before
    assert CalendarImport.objects.filter(ok=False).get().result["errors"] == result.errors


def test_an_event_with_an_impossible_date_is_skipped_and_the_others_import(people):
    ana = people["ana"]

    result = run(ana, "impossible_date.ics")

    assert result.created == 1
    assert result.skipped == [
        {
            "uid": "feb-30@example.com",
            "reason": "DTSTART cannot be read: Wrong datetime format: 20270230T100000Z",
        }
    ]
    assert meetings(ana).get().subject == "Happens"


def test_an_unreadable_repetition_skips_that_series_only(people):
    ana = people["ana"]
    data = ics_file("all_day.ics").replace(
        b"SUMMARY:Team offsite", b"RRULE:FREQ=SOMETIMES;COUNT=3\r\nSUMMARY:Team offsite"
    )

    result = services.import_upload(user=ana, data=data)

    assert result.created == 1
    assert [s["uid"] for s in result.skipped] == ["offsite-2027@example.com"]


# ---- writes --------------------------------------------------------------------------------


def test_imported_meetings_are_owned_versioned_with_history_and_counted_in_the_rollup(people):
    ana = people["ana"]

    run(ana, "google_export.ics")

    rows = meetings(ana)
    assert {m.owner_id for m in rows} == {ana.pk}
    assert {(m.kind, m.source, m.version, m.created_by_id) for m in rows} == {
        ("meeting", "calendar", 1, ana.pk)
    }
    history = Activity.history.filter(id__in=[m.pk for m in rows])
    assert set(history.values_list("history_type", "history_user_id")) == {("+", ana.pk)}
    assert history.count() == 5
    counted = dict(
        ActivityDay.objects.filter(owner=ana, kind="meeting").values_list("day", "count")
    )
    rollups.rebuild()
    assert counted == dict(
        ActivityDay.objects.filter(owner=ana, kind="meeting").values_list("day", "count")
    )


def test_a_moved_meeting_is_recounted_on_its_old_and_new_day(people):
    ana = people["ana"]
    run(ana, "outlook_invite.ics")  # 20 Jan
    run(ana, "outlook_update.ics")  # 21 Jan

    days = list(ActivityDay.objects.filter(owner=ana).values_list("day", "count"))

    assert [(d.isoformat(), n) for d, n in days] == [("2027-01-21", 1)]


def test_a_larger_import_takes_a_number_of_queries_that_does_not_grow_with_it(people):
    ana = people["ana"]

    def weekly(count: int, uid: str) -> bytes:
        return (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTART:20270104T090000Z\r\nDTEND:20270104T100000Z\r\n"
            f"RRULE:FREQ=DAILY;COUNT={count}\r\nSUMMARY:Series\r\n"
            "ATTENDEE:mailto:ana.client@example.com\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()

    def queries(data) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.import_upload(user=ana, data=data)
        # the rollup recounts one row per day touched: that part grows with the days, by design
        return len([q for q in captured.captured_queries if "activityday" not in q["sql"]])

    services.import_upload(user=ana, data=weekly(1, "warm-up@x"))  # the source exists
    # 30 rows still fit one INSERT on SQLite (999 parameters): beyond, bulk_create batches
    small, large = queries(weekly(5, "small@x")), queries(weekly(30, "large@x"))

    assert small == large


def test_imports_stay_within_their_window_even_for_endless_series(people):
    ana = people["ana"]
    data = ics_file("all_day.ics").replace(
        b"SUMMARY:Public holiday", b"RRULE:FREQ=DAILY\r\nSUMMARY:Public holiday"
    )

    services.import_upload(user=ana, data=data)

    last = meetings(ana).filter(subject="Public holiday").last().occurs_at
    assert last <= services.window()[1] + timedelta(days=1)


def test_a_reading_of_the_same_tzid_in_two_threads_is_taken_in_turns():
    """The lock around icalendar's per-process zone cache (see calendars/ics.py)."""
    assert ics._PARSE_LOCK.acquire(blocking=False)
    ics._PARSE_LOCK.release()


def _series(start: str, rule: str, header: str = "") -> bytes:
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n{header}"
        f"BEGIN:VEVENT\r\nUID:series@example.com\r\nDTSTAMP:20261201T000000Z\r\n"
        f"DTSTART:{start}\r\nRRULE:{rule}\r\nSUMMARY:Series\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_a_utc_series_without_x_wr_timezone_keeps_its_utc_time_across_daylight_saving(people):
    ana = people["ana"]

    services.import_upload(user=ana, data=_series("20270322T090000Z", "FREQ=WEEKLY;COUNT=2"))

    assert [m.occurs_at for m in meetings(ana)] == [at(2027, 3, 22, 9), at(2027, 3, 29, 9)]


def test_with_x_wr_timezone_a_utc_series_follows_the_zones_daylight_saving(people):
    ana = people["ana"]
    data = _series("20270322T090000Z", "FREQ=WEEKLY;COUNT=2", "X-WR-TIMEZONE:Europe/Berlin\r\n")

    services.import_upload(user=ana, data=data)

    # 10:00 in Berlin both weeks: 09:00Z before the change on 28 March, 08:00Z after it
    assert [m.occurs_at for m in meetings(ana)] == [at(2027, 3, 22, 9), at(2027, 3, 29, 8)]


@pytest.mark.parametrize(
    ("header", "times"),
    [
        ("", [at(2027, 3, 22, 9), at(2027, 3, 29, 8)]),  # floating: ana's zone, Berlin
        ("X-WR-TIMEZONE:America/New_York\r\n", [at(2027, 3, 22, 14), at(2027, 3, 29, 14)]),
    ],
    ids=["users-zone", "x-wr-timezone"],
)
def test_a_floating_series_with_a_floating_until_includes_its_last_instance(people, header, times):
    ana = people["ana"]
    data = _series("20270322T100000", "FREQ=WEEKLY;UNTIL=20270329T100000", header)

    services.import_upload(user=ana, data=data)

    assert [m.occurs_at for m in meetings(ana)] == times


def test_a_cancel_of_a_whole_series_cancels_every_meeting_of_it(people):
    ana = people["ana"]
    run(ana, "google_export.ics")  # the check-in series: 3 meetings (one instance cancelled)
    cancel = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        b"METHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:7kukuqrfedlm2f9t3sn1tjv8cd@google.com\r\n"
        b"DTSTAMP:20261210T100000Z\r\nDTSTART;TZID=Europe/Berlin:20270104T093000\r\n"
        b"SEQUENCE:2\r\nSTATUS:CANCELLED\r\nSUMMARY:Rollout check-in\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )

    result = services.import_upload(user=ana, data=cancel)

    series = meetings(ana).filter(external_id__startswith="7kukuqrfedlm2f9t3sn1tjv8cd@")
    assert result.cancelled == 3
    assert series.count() == 3 and all(m.cancelled for m in series)
    assert not meeting(ana, "Intro call").cancelled


def test_an_attendee_matching_a_contact_s_second_e_mail_links_that_contact(people):
    ana = people["ana"]
    client = people["client"]
    client.email = "ana.client@work.example"  # the invite's address is now her other one
    client.emails = [{"label": "home", "value": "ana.client@example.com"}]
    client.save()

    result = run(ana, "google_export.ics")  # ATTENDEE …:mailto:Ana.Client@Example.COM

    assert list(meeting(ana, "Rollout check-in (moved)").contacts.all()) == [client]
    assert "ana.client@example.com" not in result.unknown_attendees
