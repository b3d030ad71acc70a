"""python -m bench.load [--database sqlite|postgres] [--scale small|large] [--users 50]
[--spawn-rate 5] [--run-time 3m] [--port N] [--pace 1] [--json FILE] [--check]

Starts gunicorn on 127.0.0.1 against a bench database that `python -m bench` has seeded, sends
it simulated reps, managers and an admin with locust for a bounded time, stops gunicorn, and
prints and writes the figures (bench/results/load-<database>-<scale>.json). The database is
bench/data/<scale>.sqlite3 for SQLite and postgres://postgres@127.0.0.1:5432/huddle_bench
(huddle_bench_<scale> below the large scale) for PostgreSQL, unless DATABASE_URL names one. The
load test writes to it as people would: calls logged, deals moved, amounts and dates edited.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.clock import day_argument
from bench.load import database, results, server
from bench.scales import SCALES

BENCH = Path(__file__).resolve().parents[1]
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
MAX_USERS = 500
MAX_RUN_TIME_S = 30 * 60
TARGET_P95_MS = 100  # DESIGN.md: 50 simulated users with think time, p95 ≤ 100 ms, 0 errors


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n\n")[1]
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", choices=sorted(SCALES), default="large")
    parser.add_argument("--users", type=int, default=50, help=f"simulated people (≤ {MAX_USERS})")
    parser.add_argument("--spawn-rate", type=float, default=5, help="people starting per second")
    parser.add_argument("--run-time", default="3m", help="e.g. 90s, 3m, 1m30s (≤ 30m)")
    parser.add_argument("--host", default=server.HOST, help="only 127.0.0.1 is accepted")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="scales every pause of the simulated people (1: 1-5 s between actions)",
    )
    parser.add_argument(
        "--tour",
        action="store_true",
        help="instead of the mix, each simulated person does every action of their role once "
        "and the run ends when all have (a quick check that every request still works)",
    )
    parser.add_argument(
        "--today",
        type=day_argument,
        default="2026-11-02",
        help="the date the bench's data is built around; the app runs at 10:00 that day",
    )
    parser.add_argument(
        "--json", metavar="FILE", help="default: bench/results/load-<database>-<scale>.json"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 unless p95 ≤ {TARGET_P95_MS} ms (login aside) and there were no errors",
    )
    return parser.parse_args(argv)


def seconds(run_time: str) -> int:
    """Locust's run-time notation (1h30m, 3m, 90s, or plain seconds) in seconds."""
    found = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", run_time.strip())
    if not run_time.strip() or not found:
        raise ValueError(f"--run-time {run_time!r} is not like 90s, 3m or 1m30s")
    hours, minutes, secs = (int(g or 0) for g in found.groups())
    return hours * 3600 + minutes * 60 + secs


def run_locust(args, url: str, run_s: int, prefix: Path) -> int:
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "--locustfile",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{run_s}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--json-file",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--pace",
        str(args.pace),
        *(["--tour"] if args.tour else []),
    ]
    print("$ " + " ".join(cmd[2:]), flush=True)
    return subprocess.run(cmd, cwd=server.ROOT, timeout=run_s + 300).returncode


def report(summary: dict) -> None:
    print(
        f"\n{'request':<38} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
    )
    rows = [*summary["requests"], {"name": "working (all but the login)", **summary["working"]}]
    rows.append({"name": "overall", **summary["overall"]})
    for row in rows:
        print(
            f"{row['name'][:38]:<38} {row['requests']:>7} {row['failures']:>5} "
            f"{row['requests_per_s'] or 0:>7.2f} {_ms(row['p50_ms'])} {_ms(row['p95_ms'])} {_ms(row['p99_ms'])}"
        )
    overall = summary["overall"]
    print(f"\nerrors: {overall['errors']}  stale-edit conflicts: {overall['conflicts']}")
    for failure in summary["failures"]:
        print(
            f"  {failure['occurrences']} × {failure['method']} {failure['name']}: {failure['error']}"
        )
    if summary["not_exercised"]:
        print("never requested: " + ", ".join(summary["not_exercised"]))


def _ms(value) -> str:
    return f"{value:>6.0f}" if value is not None else f"{'—':>6}"


def main(argv=None) -> int:
    args = parse(argv if argv is not None else sys.argv[1:])
    if args.host != server.HOST:
        print(f"The load test runs against {server.HOST} only, not {args.host}.", file=sys.stderr)
        return 2
    try:
        run_s = seconds(args.run_time)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not (1 <= args.users <= MAX_USERS and 0 < run_s <= MAX_RUN_TIME_S and args.spawn_rate > 0):
        print(
            f"Bounded: 1-{MAX_USERS} users, a run time up to 30m, a positive spawn rate.",
            file=sys.stderr,
        )
        return 2
    url = database.url(args.database, args.scale)
    machine, counts = database.survey(url)
    print(f"database: {machine['database_url']}  rows: {counts}")
    out = (
        Path(args.json)
        if args.json
        else BENCH / "results" / f"load-{args.database}-{args.scale}.json"
    )
    with tempfile.TemporaryDirectory(prefix="huddle-load-") as tmp:
        port = args.port or server.free_port()
        env = {**database.env(url), "HUDDLE_BENCH_TODAY": args.today}
        app = server.start(port, env, Path(tmp) / "gunicorn.log")
        print(f"gunicorn: {app.describe()}", flush=True)
        started = time.monotonic()
        try:
            code = run_locust(args, app.url, run_s, Path(tmp) / "locust")
        finally:
            server.stop(app)
        if code:
            print(
                f"locust exited with {code}:\n{server.tail(Path(tmp) / 'gunicorn.log')}",
                file=sys.stderr,
            )
            return 1
        summary = results.read(Path(tmp) / "locust")
    summary["wall_time_s"] = round(time.monotonic() - started, 1)
    document = {
        "machine": {**machine, "server": app.describe()},
        "row_counts": counts,
        "database": args.database,
        "scale": args.scale,
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "run_time_s": run_s,
        "pace": args.pace,
        "tour": args.tour,
        "think_s": [round(seconds * args.pace, 3) for seconds in (1.0, 5.0)],
        "measured_on": date.today().isoformat(),
        "today": args.today,  # the app's clock: 10:00 that day (bench/load/app.py)
        "target": {"p95_ms": TARGET_P95_MS, "errors": 0, "applies_to": "working"},
        **summary,
    }
    report(summary)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
    working, errors = summary["working"], summary["overall"]["errors"]
    if args.check and (errors or (working["p95_ms"] or 0) > TARGET_P95_MS):
        print(
            f"\nTarget missed: p95 {working['p95_ms']} ms (≤ {TARGET_P95_MS}), {errors} errors (0).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
