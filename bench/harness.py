"""Seeding, measuring and reporting; the endpoints themselves are listed in bench/cases.py."""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.budgets import BUDGETS, NOT_BUILT
from bench.cases import ROLES, build_cases, prepare
from bench.clock import activities_near, morning_of, pinned
from bench.scales import SCALES
from crm.runtime import tune_gc

WARM_UP = 3


def seed(scale, today: str, fresh: bool) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    if fresh:
        if connection.vendor != "sqlite":
            call_command("flush", verbosity=0, interactive=False)
        started = time.monotonic()
        call_command(
            "seed_demo",
            "--today",
            today,
            "--companies",
            str(scale.companies),
            "--contacts",
            str(scale.contacts),
            "--deals",
            str(scale.deals),
            "--activities",
            str(scale.activities),
        )
        print(f"seeded {scale.name} in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def row_counts() -> dict[str, int]:
    from contacts.models import Activity, Company, Contact
    from deals.models import Deal

    return {
        "companies": Company.all_objects.count(),
        "contacts": Contact.all_objects.count(),
        "deals": Deal.all_objects.count(),
        "activities": Activity.all_objects.count(),
        "activity_contact_links": Activity.contacts.through.objects.count(),
    }


def machine(database: str) -> dict:
    db = connection.vendor
    if db == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": db,
        "database_version": version,
        "database_url": database.split("@")[-1] if "@" in database else database,
        # PostgreSQL: whether repeated statements are prepared (DATABASE_PREPARED, settings)
        "prepared_statements": "prepare_threshold" in connection.settings_dict["OPTIONS"],
        "gc_thresholds": list(gc.get_threshold()),  # crm/runtime.py, as a served process runs
    }


def measure(client: Client, case, n: int) -> dict:
    for i in range(WARM_UP):
        case.request(client, i)
    timings = []
    for i in range(n):
        payload = case.payload(WARM_UP + i)
        started = time.perf_counter()
        response = case.send(client, payload)
        timings.append((time.perf_counter() - started) * 1000)
    # Queries are counted on two more requests and the fewer taken: once in five minutes a
    # request also stamps the user's last_seen (crm/middleware.py, one UPDATE), which is no
    # part of the endpoint and would otherwise land on the counted request by chance.
    counts = []
    for extra in range(2):
        payload = case.payload(WARM_UP + n + extra)
        with CaptureQueriesContext(connection) as queries:
            response = case.send(client, payload)
        if response.status_code >= 400:
            raise RuntimeError(f"{case.name} answered {response.status_code}")
        counts.append(len(queries))
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "queries": min(counts),
        "bytes": len(response.content),
        "status": response.status_code,
    }


def over_budget(result: dict) -> list[str]:
    budget = BUDGETS[result["kind"]]
    problems = []
    if result["p95_ms"] > budget.p95_ms:
        problems.append(f"p95 {result['p95_ms']} ms > {budget.p95_ms} ms")
    if budget.max_queries is not None and result["queries"] > budget.max_queries:
        problems.append(f"{result['queries']} queries > {budget.max_queries}")
    return problems


def run(args, *, database: str, fresh: bool) -> int:
    # Not setup_test_environment(): its instrumented template rendering would inflate the times.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    scale = SCALES[args.scale]
    seed(scale, args.today, fresh)
    counts = row_counts()
    near = activities_near(args.today)
    tune_gc()  # as crm/wsgi.py does once the app has loaded
    print(f"database: {database}  rows: {counts}")
    print(f"clock: 10:00 on {args.today}, {near} activities within a week of it")
    results, failures = [], []
    if not near:
        failures.append(
            f"no activity within a week of {args.today}: the database was seeded around "
            "another day, so pass that day as --today"
        )
    print(
        f"{'endpoint':<40} {'role':<8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'bytes':>8}  budget"
    )
    with pinned(args.today):
        for role in ROLES:
            client = Client()
            context = prepare(client, role)
            for case in build_cases(context):
                if args.only and args.only not in case.name:
                    continue
                result = {"name": case.name, "kind": case.kind, "role": role, "scale": scale.name}
                result.update(measure(client, case, args.requests))
                problems = over_budget(result)
                result["over_budget"] = problems
                results.append(result)
                if problems:
                    failures.append(f"{case.name} as {role}: {', '.join(problems)}")
                print(
                    f"{case.name:<40} {role:<8} {result['p50_ms']:>8.1f} {result['p95_ms']:>8.1f} "
                    f"{result['queries']:>8} {result['bytes']:>8}  {'OVER: ' + '; '.join(problems) if problems else 'ok'}"
                )
    for item in NOT_BUILT:
        print(f"not built: {item}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "machine": machine(database),
                    "row_counts": counts,
                    "scale": scale.name,
                    "today": args.today,
                    "clock": morning_of(args.today).isoformat(),  # bench/clock.py
                    "activities_within_a_week": near,
                    "measured_on": date.today().isoformat(),
                    "not_built": NOT_BUILT,
                    "results": results,
                },
                fh,
                indent=1,
            )
        print(f"wrote {args.json}")
    if args.check:
        if failures:
            print("\nOver budget:\n  " + "\n  ".join(failures), file=sys.stderr)
            return 1
        print(f"\nAll {len(results)} measured endpoints within budget.")
    return 0
