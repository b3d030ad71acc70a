"""PostgreSQL: statements a connection runs again and again are prepared, so their plans can be
reused (crm/settings.py); DATABASE_PREPARED=off turns that off for poolers that cannot keep them."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import ContactFactory

ROOT = Path(__file__).resolve().parents[2]


def database_options(**env) -> dict:
    """The database OPTIONS crm/settings.py builds for this environment, read in a new process."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DATABASE_PREPARED")
    }
    environment.update(DJANGO_SETTINGS_MODULE="crm.settings", SECRET_KEY="test-only", **env)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


POSTGRES = "postgres://huddle@127.0.0.1:5432/huddle"  # only read, never connected to


def test_postgresql_prepares_statements_with_server_side_parameters_unless_told_not_to():
    on = database_options(DATABASE_URL=POSTGRES)
    off = database_options(DATABASE_URL=POSTGRES, DATABASE_PREPARED="off")
    sqlite = database_options(DATABASE_URL="sqlite:///prepared-test.sqlite3")

    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    assert "server_side_binding" not in off and "prepare_threshold" not in off
    assert "server_side_binding" not in sqlite


@pytest.mark.django_db
def test_a_page_requested_again_runs_prepared_statements_and_shows_the_same(client_for, org):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no prepared statements of its own to reuse")
    ContactFactory(first_name="Prepared", last_name="Person", owner=org["ana"])
    client = client_for("ana")
    first = client.get(reverse("contacts:list")).content

    for _ in range(6):  # past psycopg's threshold of 5 runs
        again = client.get(reverse("contacts:list")).content

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "contacts_contact"' in sql for sql in prepared)
    assert _rows(again) == _rows(first) == [b"Prepared Person"]


def _rows(body: bytes) -> list[bytes]:
    return re.findall(rb"Prepared Person", body)
