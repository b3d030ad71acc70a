"""Shared fixtures: the demo-shaped organisation every test can lean on.

Two teams: North (manager maria, reps ana and ben) and South (manager sam, rep carla), plus an
admin. `north_records` are owned by ana, so they are in scope for ben (same team, read-only),
maria (her manager) and admin, and out of scope for carla and sam — the outsiders who must
never see them.
"""

import os
import tempfile
from pathlib import Path

import pytest

from crm import custom_fields, layouts, requirements, visibility
from crm.models import User
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests run on a file, as Huddle does (WAL, IMMEDIATE transactions): an in-memory
    database shared between threads locks whole tables instead of waiting, so the race tests
    (tests/test_races.py) would measure SQLite's shared-cache mode, not Huddle. One file per
    test process; pytest-django deletes it at the end."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(tempfile.gettempdir()) / f"huddle-test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Six PBKDF2 hashes per test would cost seconds; the hasher is not what is under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_policy():
    """The policy is cached per process; each test starts from what its database says."""
    visibility.forget_policy()
    yield
    visibility.forget_policy()


@pytest.fixture(autouse=True)
def _fresh_report_switches():
    """Which reports are off is cached per process too; a test that switches one off must not
    leave the next test's forms and reports believing it."""
    requirements.forget_switches()
    yield
    requirements.forget_switches()


@pytest.fixture(autouse=True)
def _fresh_custom_fields():
    """The custom fields and the form layouts are cached per process as well
    (crm/custom_fields.py, crm/layouts.py)."""
    custom_fields.forget()
    layouts.forget()
    yield
    custom_fields.forget()
    layouts.forget()


@pytest.fixture
def org(db):
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    users = {
        "admin": UserFactory(
            username="admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True
        ),
        "maria": UserFactory(username="maria", role=User.Role.MANAGER, team=north),
        "ana": UserFactory(username="ana", team=north),
        "ben": UserFactory(username="ben", team=north),
        "carla": UserFactory(username="carla", team=south),
        "sam": UserFactory(username="sam", role=User.Role.MANAGER, team=south),
    }
    north.managers.add(users["maria"])
    south.managers.add(users["sam"])
    return users


@pytest.fixture
def north_records(org):
    """One record of each kind owned by ana (North), linked together."""
    ana = org["ana"]
    company = CompanyFactory(name="Nordwind GmbH", owner=ana)
    contact = ContactFactory(
        first_name="Nora",
        last_name="Secretname",
        email="nora@nordwind.example",
        phone="+49 30 1234567",
        company=company,
        owner=ana,
    )
    deal = DealFactory(title="Nordwind rollout", company=company, owner=ana)
    deal.contacts.add(contact)
    activity = ActivityFactory(
        subject="Call Nora about rollout", owner=ana, company=company, deal=deal
    )
    activity.contacts.add(contact)
    return {
        "company": company,
        "contact": contact,
        "deal": deal,
        "activity": activity,
        "stage": deal.stage,
        "other_stage": StageFactory(pipeline=deal.pipeline, name="Proposal", order=2),
    }


@pytest.fixture
def client_for(client, org):
    """Log the test client in as one of the org's users by name."""

    def login(username):
        client.force_login(org[username])
        return client

    return login
