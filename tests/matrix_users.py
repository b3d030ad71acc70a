"""Visibility matrix cases for Settings → Users and teams (issue 14): only the admin changes
people and teams; managers see the members of the teams they manage (maria North, sam South),
read-only; reps are refused. ana (North) is on maria's page, never on sam's."""

from __future__ import annotations

from crm.models import Layout, SettingChange, Team, User
from tests.matrix import (
    ADMIN_PAGE,
    ADMIN_POST,
    GET,
    METHOD_NOT_ALLOWED,
    POST,
    Case,
    page,
)

ADMIN = frozenset({"admin"})
ADMIN_200 = {"ben": 403, "carla": 403, "maria": 403, "sam": 403, "admin": 200}
MANAGERS_READ = {"ben": 403, "carla": 403, "maria": 200, "sam": 200, "admin": 200}


def _ana(records) -> User:
    return records["company"].owner


def _ana_pk(records) -> dict:
    return {"pk": _ana(records).pk}


def _north_pk(records) -> dict:
    return {"pk": _ana(records).team_id}


def _gone(records) -> None:
    records["gone"] = User.objects.create(username="gone", first_name="Gone", is_active=False)


def _moved_to_ben(records) -> bool:
    ana = User.objects.get(pk=_ana(records).pk)
    company = type(records["company"]).all_objects.get(pk=records["company"].pk)
    return not ana.is_active and company.owner.username == "ben"


CASES: list[Case] = [
    page(
        "settings-users", MANAGERS_READ, (GET,), shows="Ana", shown_to=frozenset({"maria", "admin"})
    ),
    Case(
        "settings-user-create",
        {GET: ADMIN_PAGE, POST: ADMIN_200},
        data=lambda r, user: {"username": "matrixuser", "first_name": "Matrix", "role": "rep"},
        changed=lambda r: User.objects.filter(username="matrixuser").exists(),
        changers=ADMIN,
        shows="Nordwind",
        shown_to=frozenset(),
    ),
    Case(
        "settings-user-edit",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=_ana_pk,
        data=lambda r, user: {
            "username": "ana",
            "first_name": "Ana",
            "last_name": "Matrix",
            "role": "rep",
            "team": _ana(r).team_id,
        },
        changed=lambda r: User.objects.filter(username="ana", last_name="Matrix").exists(),
        changers=ADMIN,
        shows="Nordwind",
        shown_to=frozenset(),
    ),
    Case(
        "settings-user-link",
        {GET: METHOD_NOT_ALLOWED, POST: ADMIN_200},
        kwargs=_ana_pk,
        changed=lambda r: SettingChange.objects.filter(action="set-password link").exists(),
        changers=ADMIN,
        shows="/set-password/",
        shown_to=ADMIN,
    ),
    Case(
        "settings-user-deactivate",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=_ana_pk,
        data=lambda r, user: {"reassign_to": User.objects.get(username="ben").pk},
        changed=_moved_to_ben,
        changers=ADMIN,
        shows="Nordwind",
        shown_to=frozenset(),
    ),
    Case(
        "settings-user-reactivate",
        {GET: METHOD_NOT_ALLOWED, POST: ADMIN_POST},
        kwargs=lambda r: {"pk": r["gone"].pk},
        setup=_gone,
        changed=lambda r: User.objects.get(username="gone").is_active,
        changers=ADMIN,
    ),
    Case(
        "settings-team-create",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        data=lambda r, user: {"name": "East"},
        changed=lambda r: Team.objects.filter(name="East").exists(),
        changers=ADMIN,
    ),
    Case(
        "settings-team-edit",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=_north_pk,
        data=lambda r, user: {
            "name": "North-East",
            "managers": [User.objects.get(username="maria").pk],
        },
        changed=lambda r: Team.objects.filter(name="North-East").exists(),
        changers=ADMIN,
    ),
]

CASES += [
    Case(
        "settings-layout",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=lambda r: {"kind": "contact"},
        data=lambda r, user: {"pos_city": "1", "up_city": "on"},
        changed=lambda r: Layout.objects.filter(kind="contact").exists(),
        changers=ADMIN,
        shows="Nordwind",
        shown_to=frozenset(),
    ),
]
