"""On PostgreSQL a request's user is loaded with the ids of the people in their scope
(crm/scopes.py, the sign-in backend in crm/signin.py): list queries name the owners as a list
instead of a subquery over users, with the same records seen, and a change of team counts from
the next request. SQLite keeps the subquery (its planner does better with it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact
from crm import scopes, visibility
from crm.models import Team, User, VisibilityPolicy
from tests.factories import ContactFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def listed(client) -> str:
    response = client.get(reverse("contacts:list"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def contacts(org):
    return {
        name: ContactFactory(first_name=f"Of{name.capitalize()}", owner=org[name])
        for name in ("maria", "ana", "ben", "carla", "sam")
    }


def test_a_list_query_on_postgresql_names_the_owners_in_scope_as_a_list(client_for, org, contacts):
    client = client_for("maria")
    with CaptureQueriesContext(connection) as queries:
        body = listed(client)

    contact_queries = [q["sql"] for q in queries if 'FROM "contacts_contact"' in q["sql"]]
    assert contact_queries
    if connection.vendor == "postgresql":
        assert all('"crm_user" U0' not in sql for sql in contact_queries)
        expected = sorted(org[n].pk for n in ("maria", "ana", "ben"))
        assert f'"owner_id" IN ({", ".join(map(str, expected))})' in contact_queries[-1]
    else:
        # the subquery, compiled once per user (crm/visibility.py `_owners`), names its own table
        assert '"owner_id" IN (SELECT "crm_user"."id"' in contact_queries[-1]
    assert "OfAna" in body and "OfCarla" not in body


@pytest.mark.parametrize(
    ("name", "level", "sees"),
    [
        ("ana", "team", {"maria", "ana", "ben"}),
        ("ana", "own", {"ana"}),
        ("maria", "own", {"maria", "ana", "ben"}),  # a manager sees the teams they manage
        ("sam", "team", {"carla", "sam"}),
        ("carla", "everyone", {"maria", "ana", "ben", "carla", "sam"}),
    ],
)
def test_the_ids_read_with_the_user_give_what_the_subquery_gives(
    client_for, org, contacts, name, level, sees
):
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"contact_see": level})
    visibility.forget_policy()
    loaded = scopes.with_ids(User.objects.all()).get(pk=org[name].pk)
    plain = User.objects.get(pk=org[name].pk)

    by_ids = {c.owner.username for c in Contact.objects.visible_to(loaded)}
    by_subquery = {c.owner.username for c in Contact.objects.visible_to(plain)}

    assert by_ids == by_subquery == sees
    body = listed(client_for(name))
    assert all((f"Of{n.capitalize()}" in body) == (n in sees) for n in contacts)


def test_a_move_to_another_team_counts_from_the_next_request(client_for, org, contacts):
    client = client_for("ana")
    assert "OfBen" in listed(client) and "OfCarla" not in listed(client)

    User.objects.filter(pk=org["ana"].pk).update(team=Team.objects.get(name="South"))

    body = listed(client)
    assert "OfCarla" in body and "OfBen" not in body


def test_a_manager_of_a_new_team_sees_it_from_the_next_request(client_for, org, contacts):
    client = client_for("sam")
    east = TeamFactory(name="East")
    newcomer = UserFactory(username="newcomer", team=east)
    ContactFactory(first_name="OfNewcomer", owner=newcomer)
    assert "OfNewcomer" not in listed(client)

    east.managers.add(org["sam"])

    assert "OfNewcomer" in listed(client)


def test_the_user_of_a_request_is_loaded_in_one_query_with_the_ids_the_orm_gives(org):
    maria = org["maria"]
    scopes.load_user(maria.pk)  # the first load compiles the statement

    with CaptureQueriesContext(connection) as queries:
        loaded = scopes.load_user(str(maria.pk))  # the session keeps the id as text

    assert len(queries) == 1
    expected = scopes.with_ids(User.objects.all()).get(pk=maria.pk)
    assert loaded == expected and loaded.username == "maria"
    assert loaded.date_joined == expected.date_joined  # converted as the ORM converts it
    if connection.vendor == "postgresql":
        assert scopes.owner_ids(loaded, "team") == scopes.owner_ids(expected, "team")
        assert scopes.owner_ids(loaded, "team") == sorted(
            org[n].pk for n in ("maria", "ana", "ben")
        )


@pytest.mark.parametrize("user_id", ["not-a-number", "", -1, 10**12])
def test_a_user_id_that_names_nobody_loads_nobody(org, user_id):
    assert scopes.load_user(user_id) is None


def test_a_user_read_without_ids_builds_the_owners_subquery_once_and_anew_on_a_move(org):
    """SQLite's path (and any user read by a command or a factory): the owners subquery is built
    once per user object and level, and again when what it is made of changes."""
    policy = VisibilityPolicy.objects.get_or_create(pk=1)[0]
    policy.contact_see = "team"
    policy.save()
    visibility.forget_policy()
    ana = User.objects.get(pk=org["ana"].pk)  # no ids read with it: the subquery path

    first = visibility.owner_ids(ana, "contact")
    assert visibility.owner_ids(ana, "contact") is first
    assert owners(first) == {org["ana"].pk, org["ben"].pk, org["maria"].pk}

    ana.team = Team.objects.get(name="South")
    ana.save(update_fields=["team"])
    moved = visibility.owner_ids(ana, "contact")
    assert moved is not first
    assert owners(moved) == {org["ana"].pk, org["carla"].pk, org["sam"].pk}


def owners(subquery) -> set[int]:
    """The user ids a compiled owners subquery selects, as a list filter would apply it."""
    return set(User.objects.filter(pk__in=subquery).values_list("pk", flat=True))
