"""One run at a time for scheduled jobs (calendar sync; later digests and the trash purge).

Cron starts a job whether or not the last run has finished: a slow calendar server makes a
15-minute sync overlap the next, and two syncs of one subscription would race each other. Each
job therefore runs inside `exclusive_job(name)`; a run that finds the lock taken does nothing and
says so, and exits 0 — the run that holds the lock is doing the work.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own,
so the job may open, close and reconnect its own connection as it likes; the server releases the
lock when that session ends, however the process ends. (A pooler in transaction mode, such as
PgBouncer's, would break session locks: connect jobs to PostgreSQL directly.)
SQLite: `flock` on a lock file next to the database file, which works across processes on one
machine — the only place an SQLite database is shared; the kernel releases it when the process
ends, so a killed job never leaves a stale lock. The lock file itself stays (deleting it would let
two runs lock two different files).

    with exclusive_job("sync_calendars") as acquired:
        if not acquired:
            print(skipped_message("sync_calendars"))
            return
        ...
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

JOB_NAME = re.compile(r"[a-z0-9_-]{1,60}")


def skipped_message(name: str) -> str:
    return f"{name} is already running, skipped."


@contextmanager
def exclusive_job(name: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Hold the lock named `name` for the block; yield False at once (no waiting) when another
    run holds it."""
    if not JOB_NAME.fullmatch(name):
        raise ValueError(f"A job name is lower-case letters, digits, - and _, not {name!r}")
    vendor = connections[using].vendor
    lock = _advisory_lock if vendor == "postgresql" else _file_lock
    with lock(name, using) as acquired:
        yield acquired


def lock_key(name: str) -> int:
    """A stable signed 64-bit key per job name (PostgreSQL's advisory locks take a bigint)."""
    digest = hashlib.blake2b(f"huddle-job:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def _advisory_lock(name: str, using: str) -> Iterator[bool]:
    holder = connections.create_connection(using)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(name)])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with holder.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key(name)])
    finally:
        holder.close()  # ends the session, which would release the lock anyway


@contextmanager
def _file_lock(name: str, using: str) -> Iterator[bool]:
    descriptor = os.open(lock_file(name, using), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            acquired = True
        except BlockingIOError:
            acquired = False
        yield acquired
    finally:
        os.close(descriptor)  # closing the file releases its lock


def lock_file(name: str, using: str = DEFAULT_DB_ALIAS) -> Path:
    """`huddle.sqlite3.sync_calendars.lock` beside the database: every process that uses this
    database finds the same file, and a second database on the machine gets its own."""
    database = str(connections[using].settings_dict["NAME"])
    if database == ":memory:" or database.startswith("file:"):
        return Path(tempfile.gettempdir()) / f"huddle-memory-{os.getpid()}.{name}.lock"
    path = Path(database).resolve()
    return path.with_name(f"{path.name}.{name}.lock")
