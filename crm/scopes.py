"""The people whose records fall in a user's scope, read with the user's own row (PostgreSQL).

Visibility is a condition on a record's owner, `owner_id IN (the viewer's people)`. As a
subquery over users it appeared two or three times in every list query (the scope, the
editable flag, a related record's flag), and PostgreSQL planned each: planning took twice as
long as running a manager's contacts list. So on PostgreSQL the sign-in backend (crm/signin.py)
loads the request's user with the ids of their team and of the teams they manage (two small
subqueries in the query that loads the user anyway), and crm/visibility.py names the owners as
a list of ids. A user read any other way (a command, a test factory) gets the subquery.

Not on SQLite: it plans a list of known ids as a selective index lookup even where walking the
list's sort index is far cheaper (a team's open tasks, newest first, read and sorted every open
task of the team, 283 ms, instead of stopping at the first page, 12 ms); a subquery it leaves to
the sort index, and it has no planning time to save.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Aggregate, OuterRef, Subquery, TextField

TEAM = "scope_team_ids"
MANAGED = "scope_managed_ids"


class _IdList(Aggregate):
    """The ids of a group as "1,2,3" (PostgreSQL)."""

    function = "string_agg"
    template = "%(function)s(CAST(%(expressions)s AS text), ',')"
    output_field = TextField()


def with_ids(users):
    """Users annotated with the ids of their team's members and of the members of the teams
    they manage; on PostgreSQL only (see above)."""
    if connection.vendor != "postgresql":
        return users
    people = get_user_model().objects.order_by()
    team = people.filter(team_id=OuterRef("team_id")).values("team_id")
    managed = people.filter(team__managers=OuterRef("pk")).values("team__managers")
    return users.annotate(
        **{
            TEAM: Subquery(team.annotate(ids=_IdList("id")).values("ids")),
            MANAGED: Subquery(managed.annotate(ids=_IdList("id")).values("ids")),
        }
    )


_PLACEHOLDER = -7_777_777  # compiled in where the user's id goes; no user has it
_load_sql: dict[str, str] = {}


def load_user(user_id):
    """The user with this id, as `with_ids` loads them, or None: what every request runs first.

    The SQL is compiled once per process: compiling the two subqueries each time cost more than
    running them (2.2–3.5 ms against 0.2 ms on PostgreSQL, the bench's large database).
    """
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    sql = _load_sql.get(connection.vendor)
    if sql is None:
        query = with_ids(model._default_manager.filter(pk=_PLACEHOLDER)).query
        sql, params = query.sql_with_params()
        if params != (_PLACEHOLDER,):  # some other parameter crept in: keep to the ORM
            return with_ids(model._default_manager.filter(pk=pk)).first()
        _load_sql[connection.vendor] = sql
    return next(iter(model._default_manager.raw(sql, [pk])), None)


def _parsed(ids: str | None) -> set[int]:
    return {int(i) for i in ids.split(",")} if ids else set()


def owner_ids(user, level: str) -> list[int] | None:
    """The ids of the users whose records are in `user`'s scope at a policy level ("own" or
    "team"), as crm/visibility.py `_owners` defines them; None for a user loaded without them."""
    if not hasattr(user, TEAM):
        return None
    ids = _parsed(getattr(user, TEAM)) if level == "team" and user.team_id else set()
    ids.add(user.pk)
    if user.role == "manager":
        ids |= _parsed(getattr(user, MANAGED))
    return sorted(ids)
