"""The bench measures on the day its data is built around (bench/clock.py), not on the day it
runs: otherwise every dated report is timed over a window the seed left empty.

Run for real, as `python -m bench --reuse`, against this test's seeded database."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.__main__ import main as bench_main
from bench.load.__main__ import main as load_main
from contacts.models import Activity
from tests.bench.conftest import SEEDED_AROUND, database_url

ROOT = Path(__file__).resolve().parents[2]


def bench(*args: str) -> subprocess.CompletedProcess:
    url, _ = database_url()
    return subprocess.run(
        [sys.executable, "-m", "bench", "--reuse", "--only", "log a call", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_app_runs_at_10_on_the_seeded_day_while_the_bench_measures(seeded, tmp_path):
    out = tmp_path / "bench.json"
    run = bench("--today", SEEDED_AROUND, "--json", str(out))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    figures = json.loads(out.read_text())
    assert figures["clock"] == "2026-11-02T10:00:00+01:00"  # Europe/Berlin, winter time
    assert figures["activities_within_a_week"] > 0
    assert {row["role"] for row in figures["results"]} == {"ana", "maria", "admin"}
    # The calls the bench logged were stamped by the app's clock: the seeded day, a few
    # seconds after 10:00 (the clock runs on), not today's date.
    stamps = list(
        Activity.objects.filter(subject__startswith="Bench call ").values_list(
            "created_at", flat=True
        )
    )
    assert len(stamps) >= 3 * 30
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 11, 2, 10, 0, tzinfo=berlin)
    assert all(start <= stamp.astimezone(berlin) < start.replace(minute=10) for stamp in stamps)


def test_a_database_seeded_around_another_day_fails_the_check(seeded):
    run = bench("--today", "2020-01-06", "--check")
    assert run.returncode == 1
    assert "clock: 10:00 on 2020-01-06, 0 activities within a week of it" in run.stdout
    assert "seeded around another day, so pass that day as --today" in run.stderr


def test_a_day_that_is_no_date_is_refused_before_anything_runs(capsys):
    for argv in (["--today", "2026-13-01"], ["--today", "tomorrow"]):
        with pytest.raises(SystemExit) as refused:
            bench_main(argv)
        assert refused.value.code == 2
        with pytest.raises(SystemExit) as refused:
            load_main(argv)
        assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "argument --today: '2026-13-01' is not a date like 2026-11-02" in err
    assert "argument --today: 'tomorrow' is not a date like 2026-11-02" in err
