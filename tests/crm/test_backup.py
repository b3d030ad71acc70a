"""Backups and restores (`manage.py backup PATH`, `manage.py restore PATH`), on the database the
suite runs on: SQLite here, PostgreSQL with DATABASE_URL=postgres://… (scratch databases
`huddle_ops_*` are created and dropped beside the test database).

The commands run as an operator runs them, in their own process (`python manage.py …` with
DATABASE_URL pointing at the test database — a file on SQLite, see tests/conftest.py), against
records made through the app's services, so history rows and custom values exist. A whole-database
snapshot (every row of every model, history and link tables included, deleted records too) is
compared before the backup and after the restore.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from contacts.models import Contact
from crm.models import CustomField
from crm.records import record_create, record_delete, record_update
from deals.models import Deal
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
ON_POSTGRES = connection.vendor == "postgresql"


# ---- helpers: the database as an operator addresses it ------------------------------------------


def database_url(name: str | None = None) -> str:
    """DATABASE_URL of the test database (or of another database `name` on the same server)."""
    db = connection.settings_dict
    if not ON_POSTGRES:
        return f"sqlite:///{Path(name or db['NAME']).resolve()}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{name or db['NAME']}"
    )


def manage(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DATABASE_URL": url or database_url(), "SECRET_KEY": "test-only-not-secret"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def server_connection():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def fresh_database(tmp_path):
    """DATABASE_URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        yield database_url(str(tmp_path / "restored.sqlite3"))
        return
    name = f"huddle_ops_restore_{uuid.uuid4().hex[:8]}"
    with server_connection() as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with server_connection() as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows_of(url: str, sql: str) -> list[tuple]:
    """Rows from another database (a restored one), read with the driver directly."""
    if url.startswith("sqlite:"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return db.execute(sql).fetchall()


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table Django knows, ordered by key: records, deleted records,
    history, links, settings, users."""
    connection.close()  # read what is in the database now, not a connection's view of before
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


# ---- the data: records with history and custom values ----------------------------------------


@pytest.fixture
def history(org, north_records):
    """North's records after a few edits through the record services: several history rows
    each, custom values on a contact and a deal, one soft-deleted contact."""
    ana, maria = org["ana"], org["maria"]
    CustomField.objects.create(model="contact", key="region", label="Region", type="text")
    CustomField.objects.create(model="deal", key="seats", label="Seats", type="number")
    contact = north_records["contact"]
    contact.custom = {"region": "Nord-Ost"}
    record_update(record=contact, by=ana, fields=["custom"])
    contact.job_title = "Head of Operations"
    record_update(record=contact, by=maria, fields=["job_title"])
    deal = north_records["deal"]
    deal.custom = {"seats": 40}
    record_update(record=deal, by=ana, fields=["custom"])
    gone = record_create(record=Contact(first_name="Gone", last_name="Later"), by=ana)
    record_delete(record=gone, by=ana)
    return {"contact": contact, "deal": deal, "gone": gone}


# ---- the round trip ---------------------------------------------------------------------------


def test_a_restore_brings_back_every_record_history_row_and_custom_value(
    history, north_records, org, tmp_path
):
    path = tmp_path / "huddle.backup"
    before = snapshot()

    made = manage("backup", str(path))

    assert made.returncode == 0, made.stderr
    assert f"to {path}" in made.stdout and "verified" in made.stdout
    assert path.stat().st_mode & 0o777 == 0o600  # every record of the organisation is in it

    # Change, add and delete after the backup.
    contact, deal = history["contact"], history["deal"]
    contact.custom = {"region": "Süd"}
    contact.first_name = "Changed"
    record_update(record=contact, by=org["ana"], fields=["custom", "first_name"])
    Deal.all_objects.filter(pk=deal.pk).delete()
    record_delete(record=north_records["company"], by=org["ana"])
    ContactFactory(owner=org["ben"], last_name="Newcomer")
    CustomField.objects.filter(key="seats").delete()
    changed = snapshot()
    assert changed != before

    refused = manage("restore", str(path))

    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--force" in refused.stderr
    assert snapshot() == changed  # refused: nothing changed

    restored = manage("restore", str(path), "--force")

    assert restored.returncode == 0, restored.stderr
    assert "no unapplied migration" in restored.stdout
    assert snapshot() == before
    contact = Contact.all_objects.get(pk=contact.pk)
    assert (contact.first_name, contact.custom) == ("Nora", {"region": "Nord-Ost"})
    assert [h.job_title for h in contact.history.order_by("history_id")][-2:] == [
        "",
        "Head of Operations",
    ]
    assert Deal.all_objects.get(pk=deal.pk).custom == {"seats": 40}
    assert Deal.history.filter(id=deal.pk).count() == 2  # created, then the custom value
    assert Contact.all_objects.get(pk=history["gone"].pk).deleted_at is not None
    assert not Contact.all_objects.filter(last_name="Newcomer").exists()
    assert CustomField.objects.filter(key="seats").exists()


# ---- done when: a backup taken while the app writes ---------------------------------------------


def test_a_backup_taken_while_the_app_writes_restores_every_acknowledged_write(
    org, fresh_database, tmp_path
):
    """A writer keeps creating contacts through the record service (each with its history row
    and a custom value, in one transaction) and notes each id once its commit returned. The
    backup runs meanwhile in its own process; restored into a fresh database, it passes the
    checks and holds every write acknowledged before the backup started, each one whole."""
    CustomField.objects.create(model="contact", key="batch", label="Batch", type="text")
    ana = org["ana"]
    acknowledged: list[tuple[int, float]] = []
    stop, errors = threading.Event(), []

    def write():
        try:
            n = 0
            while not stop.is_set():
                n += 1
                with transaction.atomic():
                    contact = record_create(
                        record=Contact(
                            first_name="Writer", last_name=f"No {n}", custom={"batch": f"w{n}"}
                        ),
                        by=ana,
                    )
                acknowledged.append((contact.pk, time.monotonic()))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 20 and writer.is_alive():
            time.sleep(0.01)
        started = time.monotonic()
        made = manage("backup", str(tmp_path / "live.backup"))
        finished = time.monotonic()
        while not any(t > finished for _, t in acknowledged) and writer.is_alive():
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not errors, errors
    assert made.returncode == 0, made.stderr
    during = [pk for pk, t in acknowledged if started < t < finished]
    assert during, "the writer was not writing while the backup ran"

    restored = manage("restore", str(tmp_path / "live.backup"), url=fresh_database)

    assert restored.returncode == 0, restored.stderr
    assert "system checks pass, no unapplied migration" in restored.stdout
    if not ON_POSTGRES:
        assert "integrity ok" in restored.stdout
        assert rows_of(fresh_database, "PRAGMA integrity_check") == [("ok",)]
    contacts = dict(
        rows_of(
            fresh_database, "SELECT id, custom FROM contacts_contact WHERE first_name = 'Writer'"
        )
    )
    created = {
        pk
        for (pk,) in rows_of(
            fresh_database,
            "SELECT id FROM contacts_historicalcontact "
            "WHERE history_type = '+' AND first_name = 'Writer'",
        )
    }
    before_backup = {pk for pk, t in acknowledged if t < started}
    assert before_backup <= set(contacts)  # every write acknowledged before the backup
    assert set(contacts) <= {pk for pk, _ in acknowledged}  # and nothing never committed
    assert created == set(contacts)  # each with its history row: no half-written record
    for custom in contacts.values():
        assert (json.loads(custom) if isinstance(custom, str) else custom)["batch"][0] == "w"


# ---- what is refused, and changes nothing -----------------------------------------------------


def other_kind_of_backup(tmp_path) -> Path:
    """A backup of the database this suite does not run on (its first bytes are what count)."""
    path = tmp_path / "other.backup"
    if ON_POSTGRES:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE django_migrations (id integer)")
    else:
        path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 200)
    return path


def test_restore_refuses_a_missing_file_with_exit_code_1(history):
    before = snapshot()

    result = manage("restore", "/nonexistent/huddle.backup", "--force")

    assert result.returncode == 1
    assert "CommandError: There is no backup at /nonexistent/huddle.backup." in result.stderr
    assert snapshot() == before


def a_spreadsheet(tmp_path) -> Path:
    path = tmp_path / "contacts.backup"
    path.write_text("first_name,last_name\nNora,Nordwind\n")
    return path


@pytest.mark.parametrize(
    "make, message",
    [(a_spreadsheet, "is not a Huddle backup"), (other_kind_of_backup, "is a backup of ")],
    ids=["a spreadsheet", "the other database's backup"],
)
def test_restore_refuses_the_wrong_kind_of_file_and_changes_nothing(
    history, tmp_path, make, message
):
    path = make(tmp_path)
    before = snapshot()

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--force")

    assert snapshot() == before


def test_restore_refuses_a_damaged_backup_and_changes_nothing(history, tmp_path):
    path = tmp_path / "huddle.backup"
    call_command("backup", str(path), stdout=StringIO())
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # a copy that stopped half-way
    before = snapshot()

    with pytest.raises(CommandError, match="is damaged|could not be read to the end"):
        call_command("restore", str(path), "--force")

    assert snapshot() == before


def foreign_database_backup(tmp_path) -> Path:
    """A backup, of the right kind, of a database that is not Huddle's."""
    path = tmp_path / "notes.backup"
    if not ON_POSTGRES:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (body text)")
        return path
    name = f"huddle_ops_foreign_{uuid.uuid4().hex[:8]}"
    with server_connection() as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(database_url(name).replace("postgres://", "postgresql://")) as db:
            db.execute("CREATE TABLE notes (body text)")
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={path}", database_url(name)], check=True
        )
    finally:
        with server_connection() as server:
            server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    return path


def test_restore_refuses_a_backup_of_a_database_that_is_not_huddles(history, tmp_path):
    path = foreign_database_backup(tmp_path)
    before = snapshot()

    with pytest.raises(CommandError, match="but not (of )?a Huddle (one|database)"):
        call_command("restore", str(path), "--force")

    assert snapshot() == before


@pytest.fixture
def failing_table_creation():
    """PostgreSQL refuses to create deals_deal while this is in place: an event trigger,
    kept out of the public schema the restore replaces."""
    statements = [
        "CREATE SCHEMA huddle_ops_test",
        "CREATE FUNCTION huddle_ops_test.refuse() RETURNS event_trigger LANGUAGE plpgsql AS $$"
        " BEGIN IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()"
        " WHERE object_identity = 'public.deals_deal')"
        " THEN RAISE EXCEPTION 'deals_deal refused by the test'; END IF; END $$",
        "CREATE EVENT TRIGGER huddle_ops_refuse ON ddl_command_end"
        " EXECUTE FUNCTION huddle_ops_test.refuse()",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP EVENT TRIGGER IF EXISTS huddle_ops_refuse")
        cursor.execute("DROP SCHEMA IF EXISTS huddle_ops_test CASCADE")


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite's backup API copies in one step")
def test_a_restore_that_fails_half_way_changes_nothing(history, tmp_path, request):
    """PostgreSQL restores table after table: one failing after the public schema was dropped
    and half the tables made again rolls the whole restore back."""
    path = tmp_path / "huddle.backup"
    call_command("backup", str(path), stdout=StringIO())
    ContactFactory(last_name="Made after the backup")
    request.getfixturevalue("failing_table_creation")
    before = snapshot()

    with pytest.raises(CommandError, match="restore failed, nothing was changed: .*deals_deal"):
        call_command("restore", str(path), "--force")

    assert snapshot() == before
    assert Contact.objects.filter(last_name="Made after the backup").exists()


def test_restore_help_says_force_replaces_a_database_that_is_not_empty():
    result = manage("restore", "--help")

    assert result.returncode == 0
    assert "--force" in result.stdout
    assert "replace a database that is not empty" in " ".join(result.stdout.split())


def test_backup_never_overwrites_a_file_unless_told(history, tmp_path):
    path = tmp_path / "huddle.backup"
    path.write_text("yesterday's backup")

    with pytest.raises(CommandError, match="already exists; pass --force"):
        call_command("backup", str(path))
    assert path.read_text() == "yesterday's backup"

    call_command("backup", str(path), "--force", stdout=StringIO())
    assert path.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert [p.name for p in tmp_path.iterdir()] == ["huddle.backup"]  # no partial file left


def test_backup_into_a_missing_folder_says_so(history, tmp_path):
    with pytest.raises(CommandError, match="does not exist; create it first"):
        call_command("backup", str(tmp_path / "nowhere" / "huddle.backup"))
