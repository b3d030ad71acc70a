"""A small demo organisation committed to this test's database, for the bench's runners, which
read it from another process (SQLite here; PostgreSQL when the suite runs on it)."""

from io import StringIO
from urllib.parse import quote

import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from crm.models import Team
from reports.meetings import meeting_start
from reports.models import Agenda, AgendaSection

SEEDED_AROUND = "2026-11-02"


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
    call_command("seed_demo", "--today", SEEDED_AROUND, *sizes, stdout=StringIO())
    maria = get_user_model().objects.get(username="maria")
    agenda = Agenda.objects.create(
        title="Weekly pipeline review", owner=maria, team=Team.objects.get(name="North")
    )
    for order, slug in enumerate(["pipeline", "forecast", "changes"]):
        AgendaSection.objects.create(agenda=agenda, order=order, report_slug=slug)
    meeting_start(agenda=agenda, by=maria)
