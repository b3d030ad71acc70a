"""Scheduled jobs run one at a time (crm.jobs.exclusive_job): a run started while another holds
the job's lock does nothing, says so and exits 0 — on PostgreSQL an advisory lock, on SQLite a
lock file. Raced by two threads with their own database connections behind a barrier, and by
two processes, on the database the suite runs on."""

import os
import signal
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from calendars.models import CalendarSource
from crm.jobs import exclusive_job

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
ROUNDS = 5


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def manage_env() -> dict:
    return os.environ | {"DATABASE_URL": database_url(), "SECRET_KEY": "test-only-not-secret"}


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_runs_racing_at_a_barrier_run_the_job_body_once(round_):
    start, tried = threading.Barrier(2), threading.Barrier(2)
    ran, errors = [], []

    def run(i):
        try:
            start.wait(timeout=10)
            with exclusive_job("race-test") as acquired:
                tried.wait(timeout=10)  # the winner holds the lock until both have tried
                if acquired:
                    ran.append(i)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert len(ran) == 1, ran


def test_the_lock_is_free_again_once_the_run_ends():
    with exclusive_job("again-test") as first:
        assert first is True
    with exclusive_job("again-test") as second:
        assert second is True


def test_a_failing_job_releases_its_lock():
    with pytest.raises(RuntimeError), exclusive_job("failing-test"):
        raise RuntimeError("the job failed")

    with exclusive_job("failing-test") as acquired:
        assert acquired is True


def test_sync_calendars_is_skipped_while_another_run_syncs(org):
    source = CalendarSource.objects.create(
        owner=org["ana"], kind=CalendarSource.Kind.SUBSCRIPTION, url="http://127.0.0.1:9/x.ics"
    )
    out = StringIO()

    with exclusive_job("sync_calendars") as acquired:
        assert acquired
        call_command("sync_calendars", stdout=out)  # no CommandError: exit 0

    assert out.getvalue() == "sync_calendars is already running, skipped.\n"
    source.refresh_from_db()
    assert source.last_synced_at is None and source.last_ok is None  # the body did not run
    # Once the lock is free the job runs (and this subscription, on a private address, fails).
    with pytest.raises(CommandError, match="1 of 1 subscriptions failed"):
        call_command("sync_calendars", stdout=StringIO())
    source.refresh_from_db()
    assert source.last_ok is False


def test_a_second_process_exits_0_at_once_with_a_message(db):
    with exclusive_job("sync_calendars"):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", "sync_calendars"],
            cwd=ROOT,
            env=manage_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        elapsed = time.monotonic() - started

    assert result.returncode == 0, result.stderr
    assert result.stdout == "sync_calendars is already running, skipped.\n"
    assert elapsed < 15  # Django's start-up; the lock itself is never waited for


HOLDER = """
import time
from crm.jobs import exclusive_job
with exclusive_job("killed-test") as acquired:
    print("locked" if acquired else "busy", flush=True)
    time.sleep(60)
"""


def test_a_job_killed_while_holding_the_lock_leaves_no_lock_behind():
    holder = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", HOLDER],
        cwd=ROOT,
        env=manage_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with exclusive_job("killed-test") as acquired:
            assert acquired is False  # held by the other process
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)

    deadline = time.monotonic() + 10  # PostgreSQL notices the dead session within moments
    while True:
        with exclusive_job("killed-test") as acquired:
            if acquired or time.monotonic() > deadline:
                break
        time.sleep(0.1)
    assert acquired is True
