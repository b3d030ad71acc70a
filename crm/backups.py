"""Backups and restores of Huddle's database (`manage.py backup PATH`, `manage.py restore PATH`).

SQLite: SQLite's online backup API copies the live database in one step, which holds one read
snapshot for the whole copy: the app keeps writing (WAL), and the copy is the database as it was
at one moment, every committed transaction before it whole and none after. PostgreSQL: `pg_dump
-Fc`, which reads one snapshot too. Either way the copy is written beside PATH, verified (SQLite's
`integrity_check`; `pg_restore --list`), and only then renamed to PATH, readable by its owner only:
a backup that stops half-way never leaves a file that looks like a backup.

A restore reads the file's first bytes to know what it is, so a PostgreSQL dump offered to SQLite
(or a spreadsheet offered to either) is refused before anything is touched. It replaces the whole
database in one transaction — SQLite's backup API into the live file, or the dump's SQL piped
from `pg_restore` to `psql` between BEGIN and a COMMIT sent only when `pg_restore` finished
cleanly — so a damaged backup changes nothing. Then it checks what it restored: integrity (SQLite),
Django's system checks with the database ones, and no unapplied migration.

The connection comes from settings (DATABASE_URL). PostgreSQL's password travels in PGPASSWORD,
never on a command line, the same way `manage.py dbshell` passes it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing
from pathlib import Path

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
A_DATABASE = {"sqlite": "an SQLite database", "postgresql": "a PostgreSQL database"}
PG_TIMEOUT_SECONDS = "10"  # connecting to PostgreSQL: fail with a message, never hang a cron job


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why, for the operator."""


# ---- backup ------------------------------------------------------------------------------------


def backup(path: str | Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> str:
    """Copy the database in use to `path`; return a one-line account of what was written."""
    started = time.monotonic()
    path = Path(path)
    kind = _kind_in_use(using)
    if path.is_dir():
        raise BackupError(
            f"{path} is a folder; give the backup a file name, e.g. {path}/huddle.dump"
        )
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist; create it first.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; pass --force to replace it.")

    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    # Owner-only from the first byte: a backup holds every record of the organisation.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        if kind == "sqlite":
            _sqlite_backup(_sqlite_file(using), partial)
            _sqlite_verify(partial)
        else:
            _pg_dump(using, partial)
            _pg_verify(partial)
        _fsync(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size
    return (
        f"Backed up the {KIND_NAMES[kind]} database {_name(using)} to {path} "
        f"({_megabytes(size)}, verified) in {time.monotonic() - started:.1f} s."
    )


def _sqlite_backup(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(source, timeout=30)) as live,
        closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy)  # pages=-1: one step, one read snapshot, writers not blocked (WAL)
        # A backup is one self-contained file: no -wal beside it to lose when it is copied.
        copy.execute("PRAGMA journal_mode=DELETE")


def _pg_dump(using: str, target: Path) -> None:
    args, env = _pg_command(using, "pg_dump", ["--format=custom", f"--file={target}"])
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        reason = _last_lines(result.stderr) or f"it stopped with code {result.returncode}"
        raise BackupError(f"pg_dump failed: {reason}")


# ---- restore -----------------------------------------------------------------------------------


def restore(path: str | Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> str:
    """Replace the database in use by the backup at `path`, then check what was restored.

    Everything that can be refused is refused before the database is touched: a missing,
    damaged or foreign file, a backup of the other kind of database, a database that is not
    empty (without `force`).
    """
    started = time.monotonic()
    path = Path(path)
    kind = _kind_in_use(using)
    found = kind_of_file(path)
    if found is None:
        raise BackupError(
            f"{path} is not a Huddle backup: it is neither an SQLite database nor a "
            "pg_dump archive (made by `manage.py backup`)."
        )
    if found != kind:
        raise BackupError(
            f"{path} is a backup of {A_DATABASE[found]}, but the database in use "
            f"(DATABASE_URL) is {KIND_NAMES[kind]}: restore it with DATABASE_URL set to "
            f"{A_DATABASE[found]}."
        )
    if kind == "sqlite":
        _sqlite_verify(path)
    else:
        _pg_verify(path)
    tables = _tables(using)
    if tables and not force:
        raise BackupError(
            f"The database {_name(using)} is not empty ({len(tables)} tables). A restore "
            "replaces everything in it; pass --force to do that."
        )

    connections[using].close()  # the restore works on its own connection
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_file(using))
    else:
        _pg_restore(path, using, replace=bool(tables))
    return (
        f"Restored {path} into the {KIND_NAMES[kind]} database {_name(using)} "
        f"in {time.monotonic() - started:.1f} s. {_check_restored(kind, using)}"
    )


def _sqlite_restore(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_copy,
        closing(sqlite3.connect(target, timeout=30)) as live,
    ):
        # One step is one write transaction on the live file: all of it or, on error, none.
        backup_copy.backup(live)


def _pg_restore(path: Path, using: str, *, replace: bool) -> None:
    """pg_restore turns the archive into SQL; psql runs it inside one transaction that is
    committed only when pg_restore read the whole archive without error. (psql's own
    --single-transaction would commit whatever arrived if pg_restore stopped half-way.)"""
    psql, env = _pg_command(
        using, "psql", ["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--output=/dev/null"]
    )
    preamble = b"SET client_min_messages = warning;\nBEGIN;\n"
    if replace:  # everything Huddle has lives in the public schema
        preamble += b"DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
    with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as dump_errors:
        runner = subprocess.Popen(psql, stdin=subprocess.PIPE, stderr=psql_errors, env=env)
        reader = subprocess.Popen(
            [_executable("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=dump_errors,
        )
        try:
            runner.stdin.write(preamble)
            shutil.copyfileobj(reader.stdout, runner.stdin)
            reader.wait()
            if reader.returncode == 0:
                runner.stdin.write(b"ANALYZE;\nCOMMIT;\n")
            runner.stdin.close()
        except BrokenPipeError:  # psql stopped at an error: its transaction is rolled back
            reader.kill()
            reader.wait()
        runner.wait()
        if reader.returncode != 0:
            reason = _last_lines(_read(dump_errors)) or f"code {reader.returncode}"
            raise BackupError(f"{path} could not be read to the end, nothing was changed: {reason}")
        if runner.returncode != 0:
            raise BackupError(
                f"The restore failed, nothing was changed: {_last_lines(_read(psql_errors))}"
            )


def _check_restored(kind: str, using: str) -> str:
    """What a restored database must pass before anyone uses it; BackupError otherwise."""
    connection = connections[using]
    if kind == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            problems = [row[0] for row in cursor.fetchall()]
        if problems != ["ok"]:
            raise BackupError(f"Restored, but the integrity check failed: {'; '.join(problems)}")
    errors = [m for m in checks.run_checks(databases=[using]) if m.is_serious()]
    if errors:
        raise BackupError(
            "Restored, but Django's checks fail: " + "; ".join(str(e) for e in errors)
        )
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in unapplied[:5])
        raise BackupError(
            f"Restored, but {len(unapplied)} migrations are not applied ({names}…): the "
            "backup is older than this Huddle. Run `python manage.py migrate` now."
        )
    checked = "integrity ok, " if kind == "sqlite" else ""
    return f"Checked: {checked}system checks pass, no unapplied migration."


# ---- what a file is, and whether it is whole --------------------------------------------------


def kind_of_file(path: Path) -> str | None:
    """'sqlite' or 'postgresql' by the file's first bytes, None for anything else."""
    if not path.exists():
        raise BackupError(f"There is no backup at {path}.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


def _sqlite_verify(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            huddle = copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is damaged: {error}.") from None
    if problems != ["ok"]:
        raise BackupError(f"{path} is damaged: {'; '.join(problems[:5])}.")
    if not huddle:
        raise BackupError(f"{path} is an SQLite database, but not a Huddle one.")


def _pg_verify(path: Path) -> None:
    result = subprocess.run(
        [_executable("pg_restore"), "--list", str(path)], capture_output=True, text=True
    )
    if result.returncode != 0:
        reason = _last_lines(result.stderr) or f"pg_restore stopped with code {result.returncode}"
        raise BackupError(f"{path} is damaged: {reason}")
    if " TABLE public django_migrations " not in result.stdout:
        raise BackupError(f"{path} is a pg_dump archive, but not of a Huddle database.")


# ---- the database in use ----------------------------------------------------------------------


def _kind_in_use(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in KIND_NAMES:
        raise BackupError(f"Backups are made of SQLite and PostgreSQL databases, not {vendor}.")
    return vendor


def _name(using: str) -> str:
    return str(connections[using].settings_dict["NAME"])


def _sqlite_file(using: str) -> Path:
    name = _name(using)
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def _tables(using: str) -> list[str]:
    try:
        with connections[using].cursor() as cursor:
            return connections[using].introspection.table_names(cursor)
    except DatabaseError as error:
        raise BackupError(f"Cannot open the database {_name(using)}: {error}") from None


def _pg_command(using: str, program: str, parameters: list[str]) -> tuple[list[str], dict]:
    """Arguments and environment for a PostgreSQL client program, as `dbshell` builds them:
    host, port, user and database as arguments; password, SSL and service in the environment."""
    connection = connections[using]
    args, env = connection.client.settings_to_cmd_args_env(connection.settings_dict, parameters)
    environment = {"PGCONNECT_TIMEOUT": PG_TIMEOUT_SECONDS} | dict(os.environ) | (env or {})
    return [_executable(program), *args[1:]], environment


def _executable(program: str) -> str:
    found = shutil.which(program)
    if not found:
        raise BackupError(
            f"{program} is not installed; it comes with PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client-15)."
        )
    return found


# ---- small helpers of this module --------------------------------------------------------------


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _read(file) -> str:
    file.seek(0)
    return file.read().decode("utf-8", "replace").strip()


def _last_lines(text: str, count: int = 3) -> str:
    return " ".join(text.strip().splitlines()[-count:])


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
