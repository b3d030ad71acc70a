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
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from bench.load import mix
from bench.load.__main__ import main, seconds
from crm.models import Team
from crm.runtime import THRESHOLDS
from reports.meetings import meeting_start
from reports.models import Agenda, AgendaSection

ROOT = Path(__file__).resolve().parents[2]

needs_locust = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None,
    reason="locust is in the `load` extra: pip install -e '.[load]' (make loadtest does)",
)


def database_url() -> tuple[str, str]:
    """This test's own database, as DATABASE_URL spells it, and its kind for --database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}", "sqlite"
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    address = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{address}/{db['NAME']}", "postgres"


@pytest.fixture
def seeded(transactional_db, settings):
    """The demo organisation, small, committed (gunicorn reads it from another process), with
    the demo users' real password hashes, and one meeting of team North to page through."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    sizes = ("--companies", "40", "--contacts", "200", "--deals", "300", "--activities", "1000")
    call_command("seed_demo", "--today", "2026-11-02", *sizes, stdout=StringIO())
    maria = get_user_model().objects.get(username="maria")
    agenda = Agenda.objects.create(
        title="Weekly pipeline review", owner=maria, team=Team.objects.get(name="North")
    )
    for order, slug in enumerate(["pipeline", "forecast", "changes"]):
        AgendaSection.objects.create(agenda=agenda, order=order, report_slug=slug)
    meeting_start(agenda=agenda, by=maria)


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
