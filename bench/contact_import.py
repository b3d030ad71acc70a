"""python -m bench.contact_import [--json FILE] [--check] [--runs N]

DESIGN.md's budget "import 10,000 contacts from CSV (preview, import, re-import each) ≤ 10 s":
a Google Contacts-shaped CSV of 10,000 people across 2,000 companies (names, a work e-mail,
a mobile number, a birthday for some, notes) — previewed (a dry run: read, map, match, check),
imported, then imported again (all unchanged). Timed around the import service alone
(imports.services.import_contacts), net of Django's start-up.

The database is a fresh SQLite file (bench/data/import.sqlite3), or DATABASE_URL if set (e.g.
PostgreSQL; only the bench's own teams and users are added). Each run imports as a new user in a
team of their own, so every run measures a first import into a scope that already holds the
earlier runs' contacts (which it must not match: they are not visible to this user).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PEOPLE = 10_000
COMPANIES = 2_000
BUDGET_MS = 10_000
HEADERS = [
    "First Name", "Middle Name", "Last Name", "Organization Name", "Organization Title",
    "Birthday", "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label",
    "Phone 1 - Value", "Address 1 - City",
]  # fmt: skip


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.contact_import")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when over budget")
    parser.add_argument("--runs", type=int, default=3, help="preview + import + re-import runs")
    return parser.parse_args(argv)


def configure() -> str:
    if not os.environ.get("DATABASE_URL"):
        DATA_DIR.mkdir(exist_ok=True)
        path = DATA_DIR / "import.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    return os.environ["DATABASE_URL"]


def contacts_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for n in range(PEOPLE):
        company = n % COMPANIES
        writer.writerow(
            [
                f"Person{n}",
                "",
                f"Bench{n // 7}",
                f"Client {company} GmbH",
                "Buyer" if n % 3 else "Head of Sales",
                f"19{60 + n % 40}-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 4 == 0 else "",
                "Met at the fair" if n % 5 == 0 else "",
                "* myContacts",
                "* Work",
                f"person{n}@client{company}.example",
                "Mobile",
                f"+49 151 {10_000_000 + n}",
                "Berlin" if n % 2 else "Hamburg",
            ]
        )
    return out.getvalue().encode("utf-8")


def setup() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def run_once(data: bytes, run: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.models import Team, User
    from imports import services

    team = Team.objects.create(name=f"Bench import {run} {time.time_ns()}")
    user = User.objects.create(username=f"bench-import-{run}-{time.time_ns()}", team=team)
    results = []
    for name, dry_run, expect in (
        ("preview", True, "new"),
        ("import", False, "new"),
        ("re-import", False, "unchanged"),
    ):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = services.import_contacts(
                user=user, data=data, filename="bench.csv", dry_run=dry_run
            )
            elapsed = (time.perf_counter() - started) * 1000
        counts = result.counts
        assert counts[expect] == PEOPLE and counts["errors"] == 0, counts
        results.append(
            {
                "name": f"contacts {name} of {PEOPLE:,} rows",
                "ms": elapsed,
                "queries": len(queries),
                "result": counts,
            }
        )
    return results


def main(argv=None) -> int:
    args = parse(argv if argv is not None else sys.argv[1:])
    database = configure()
    import django

    django.setup()
    from bench.harness import machine, row_counts

    setup()
    data = contacts_csv()
    runs = [run_once(data, n) for n in range(args.runs)]
    results, failed = [], False
    for index, name in enumerate(("preview", "import", "re-import")):
        timings = sorted(run[index]["ms"] for run in runs)
        last = runs[-1][index]
        worst = timings[-1]
        results.append(
            {
                "name": last["name"],
                "role": "rep",
                "scale": f"{PEOPLE:,} contacts, {COMPANIES:,} companies, {len(data):,} bytes",
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(worst, 1),
                "queries": last["queries"],
                "bytes": len(data),
                "budget_ms": BUDGET_MS,
                "result": last["result"],
            }
        )
        verdict = "ok" if worst <= BUDGET_MS else "OVER BUDGET"
        failed |= worst > BUDGET_MS
        print(
            f"{name:>9}: median {statistics.median(timings):7.0f} ms, worst {worst:7.0f} ms "
            f"of {len(timings)} runs, {last['queries']} queries — {verdict} (≤ {BUDGET_MS} ms)"
        )
    report = {"machine": machine(database), "row_counts": row_counts(), "results": results}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
