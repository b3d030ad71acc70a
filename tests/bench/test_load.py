"""The load test's own check: its runner, run for real on a tiny seeded database, makes every
request of the mix without one failure — so a URL, a form field or an htmx header that changes
in the app breaks this test rather than the next large run.

It runs `python -m bench.load --tour`: gunicorn on 127.0.0.1 against this test's database
(SQLite here; PostgreSQL when the suite runs on it), and each simulated person doing every
action of their role once.
"""

import importlib.util
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.load import mix
from bench.load.__main__ import main, seconds
from contacts.models import Activity
from crm.runtime import THRESHOLDS
from tests.bench.conftest import SEEDED_AROUND, database_url

ROOT = Path(__file__).resolve().parents[2]
# The subjects locustfile.py's log_call types, with the person's serial.
LOGGED_CALL = r"^(Called, left a message|Talked about the offer|Follow-up) \([0-9]+\)$"

needs_locust = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None,
    reason="locust is in the `load` extra: pip install -e '.[load]' (make loadtest does)",
)


@needs_locust
def test_every_request_of_the_mix_works_under_gunicorn(seeded, tmp_path):
    url, kind = database_url()
    out = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            *("--database", kind, "--scale", "small", "--users", "4", "--spawn-rate", "4"),
            *("--run-time", "90s", "--pace", "0.05", "--tour", "--json", str(out)),
        ],
        cwd=ROOT,
        # Two workers (gunicorn.conf.py reads WEB_CONCURRENCY) start faster than 2 × cores + 1.
        env={**os.environ, "DATABASE_URL": url, "WEB_CONCURRENCY": "2"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())
    print(f"tour: {figures['duration_s']} s, runner: {figures['wall_time_s']} s")

    assert figures["not_exercised"] == [], run.stdout[-3000:]
    made = {row["name"] for row in figures["requests"] if row["requests"]}
    assert made == set(mix.ALL)
    assert figures["failures"] == [], figures["failures"]
    assert figures["overall"]["errors"] == 0 and figures["overall"]["conflicts"] == 0
    assert figures["overall"]["requests"] >= len(mix.ALL)
    assert figures["duration_s"] < 90, "the tour did not finish before --run-time"
    assert figures["row_counts"]["contacts"] == 200
    assert figures["machine"]["server"]["bind"].startswith("127.0.0.1:")
    # What the workers run (crm/wsgi.py), not the collector of the runner that surveyed them.
    assert tuple(figures["machine"]["gc_thresholds"]) == THRESHOLDS
    assert figures["users"] == 4 and figures["tour"] is True
    for row in figures["requests"]:
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], row
    # The workers ran at the bench's clock (bench/load/app.py): the calls logged during the
    # tour carry the seeded day, a little after 10:00, not today's date.
    assert figures["today"] == SEEDED_AROUND
    logged = Activity.objects.filter(subject__regex=LOGGED_CALL).values_list(
        "created_at", flat=True
    )
    assert logged
    start = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert all(start <= stamp < start + timedelta(minutes=10) for stamp in logged), list(logged)


def test_the_runner_refuses_any_host_but_127_0_0_1(capsys):
    assert main(["--host", "0.0.0.0"]) == 2
    assert main(["--host", "example.com"]) == 2
    assert "127.0.0.1 only" in capsys.readouterr().err


def test_the_run_is_bounded_in_time_and_people(capsys):
    assert main(["--users", "0"]) == 2
    assert main(["--users", "501"]) == 2
    assert main(["--run-time", "31m"]) == 2
    assert main(["--run-time", "soon"]) == 2
    assert "Bounded" in capsys.readouterr().err
    assert [seconds(t) for t in ("90s", "3m", "1m30s", "1h", "45")] == [90, 180, 90, 3600, 45]
