"""python -m bench.calendar_import [--json FILE] [--check] [--runs N]

DESIGN.md's budget "import a 5,000-event calendar (import, re-import each) ≤ 5 s": a calendar of
exactly 5,000 occurrences inside the import window — single meetings, weekly and daily series
with moved and cancelled instances, two to four attendees each (contacts, colleagues, unknown
addresses) — imported into a fresh user's calendar, then imported again (all unchanged). Timed
around the import service alone (calendars.services.import_upload), net of Django's start-up.

The database is a fresh SQLite file (bench/data/calendar.sqlite3), or DATABASE_URL if set (e.g.
PostgreSQL; its calendar bench rows are replaced, nothing else is touched). Each run imports
into a new user, so every run measures a first import and a re-import.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
OCCURRENCES = 5_000
BUDGET_MS = 5_000
CONTACTS = 1_000


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.calendar_import")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when over budget")
    parser.add_argument("--runs", type=int, default=3, help="import + re-import pairs")
    return parser.parse_args(argv)


def configure() -> str:
    if not os.environ.get("DATABASE_URL"):
        DATA_DIR.mkdir(exist_ok=True)
        path = DATA_DIR / "calendar.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    return os.environ["DATABASE_URL"]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(now: datetime, emails: list[str]) -> bytes:
    """Exactly OCCURRENCES occurrences between a week back and 170 days ahead of `now`."""
    start = (now - timedelta(days=7)).replace(hour=8, minute=0, second=0, microsecond=0)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Huddle bench//Calendar import//EN",
        "X-WR-TIMEZONE:Europe/Berlin",
    ]

    def people(n: int) -> list[str]:
        found = ["ORGANIZER;CN=Ana Rep:mailto:bench-rep@huddle.example"]
        for k in range(2 + n % 3):
            email = emails[(n * 7 + k * 13) % len(emails)]
            found.append(f"ATTENDEE;CN=Guest {k}:mailto:{email.upper() if k == 1 else email}")
        return found

    def event(uid: str, first: datetime, n: int, extra: list[str], sequence=0) -> list[str]:
        return [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261201T000000Z",
            f"SEQUENCE:{sequence}",
            f"DTSTART:{_stamp(first)}",
            f"DTEND:{_stamp(first + timedelta(minutes=45))}",
            f"SUMMARY:Bench meeting {n}",
            "LOCATION:Room 1",
            "DESCRIPTION:Agenda\\, notes and next steps",
            *people(n),
            *extra,
            "END:VEVENT",
        ]

    count = 0
    for series in range(40):  # 40 weekly series of 24: 960 occurrences
        first = start + timedelta(days=series % 5, hours=series % 8)
        lines += event(f"weekly-{series}@bench", first, series, ["RRULE:FREQ=WEEKLY;COUNT=24"])
        count += 24
    for series in range(4):  # 4 daily series of 100, one moved and one cancelled instance each
        first = start + timedelta(days=series, hours=9 + series)
        uid = f"daily-{series}@bench"
        lines += event(uid, first, series, ["RRULE:FREQ=DAILY;COUNT=101"])
        moved = first + timedelta(days=10)
        lines += event(
            uid, moved + timedelta(hours=3), series, [f"RECURRENCE-ID:{_stamp(moved)}"], 1
        )
        cancelled = first + timedelta(days=20)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"RECURRENCE-ID:{_stamp(cancelled)}",
            "DTSTAMP:20261201T000000Z",
            f"DTSTART:{_stamp(cancelled)}",
            "SEQUENCE:1",
            "STATUS:CANCELLED",
            "SUMMARY:Cancelled",
            "END:VEVENT",
        ]
        count += 101  # 100 meetings + 1 cancelled instance (an occurrence, not created)
    single = OCCURRENCES - count
    for n in range(single):
        first = start + timedelta(minutes=(n * 97) % (170 * 24 * 60))
        lines += event(f"single-{n}@bench", first, n, [])
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def setup():
    from django.core.management import call_command

    from crm.models import Team, User
    from tests.factories import CompanyFactory, ContactFactory

    call_command("migrate", verbosity=0, interactive=False)
    team, _ = Team.objects.get_or_create(name="Bench calendar")
    owner, created = User.objects.get_or_create(
        username="bench-calendar-owner", defaults={"team": team}
    )
    if created:
        companies = [
            CompanyFactory(name=f"Client {n}", domain=f"client{n}.example", owner=owner)
            for n in range(50)
        ]
        for n in range(CONTACTS):
            ContactFactory(
                first_name="Bench",
                last_name=f"Contact {n}",
                email=f"contact{n}@client{n % 50}.example",
                company=companies[n % 50],
                owner=owner,
            )
    emails = [f"contact{n}@client{n % 50}.example" for n in range(0, CONTACTS, 3)]
    emails += [f"stranger{n}@elsewhere.example" for n in range(200)]
    emails += ["bench-rep@huddle.example"]
    return team, emails


def run_once(team, data: bytes, run: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from calendars import services
    from crm.models import User

    user = User.objects.create(
        username=f"bench-calendar-{run}-{time.time_ns()}", team=team, email=""
    )
    results = []
    for name in ("import", "re-import"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = services.import_upload(user=user, data=data, name="bench.ics")
            elapsed = (time.perf_counter() - started) * 1000
        assert result.ok, result.errors
        total = result.created + result.updated + result.cancelled + result.unchanged
        assert total == OCCURRENCES, total
        results.append(
            {
                "name": f"calendar {name} of {OCCURRENCES:,} occurrences",
                "ms": elapsed,
                "queries": len(queries),
                "result": {k: v for k, v in result.as_json().items() if k != "unknown_attendees"},
            }
        )
    return results


def main(argv=None) -> int:
    args = parse(argv if argv is not None else sys.argv[1:])
    database = configure()
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from bench.harness import machine, row_counts

    settings.HUDDLE_CALENDAR_DAYS_BACK, settings.HUDDLE_CALENDAR_DAYS_AHEAD = 90, 180
    team, emails = setup()
    data = calendar(timezone.now(), emails)
    runs = [run_once(team, data, n) for n in range(args.runs)]
    results, failed = [], False
    for index, name in enumerate(("import", "re-import")):
        timings = sorted(run[index]["ms"] for run in runs)
        last = runs[-1][index]
        p95 = timings[-1]
        results.append(
            {
                "name": last["name"],
                "role": "rep",
                "scale": f"{OCCURRENCES} occurrences, {len(data):,} bytes, {CONTACTS} contacts",
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(p95, 1),
                "queries": last["queries"],
                "bytes": len(data),
                "budget_ms": BUDGET_MS,
                "result": last["result"],
            }
        )
        verdict = "ok" if p95 <= BUDGET_MS else "OVER BUDGET"
        failed |= p95 > BUDGET_MS
        print(
            f"{name:>9}: median {statistics.median(timings):7.0f} ms, worst {p95:7.0f} ms "
            f"of {len(timings)} runs, {last['queries']} queries — {verdict} (≤ {BUDGET_MS} ms)"
        )
    report = {"machine": machine(database), "row_counts": row_counts(), "results": results}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
