"""Who may see and who may change a record: decided here and nowhere else.

Every owned record is scoped by its owner. The rules, per kind of record:

- an admin sees and edits everything;
- a rep sees what the organisation's policy says (own, team or everyone) and edits own or team,
  never beyond what they see;
- a manager sees the rep scope plus everything owned by members of the teams they manage, and
  edits whatever they see (so a "see everyone" policy lets managers edit everyone's records);
- anyone else (anonymous, inactive) sees nothing: the default is `.none()`.

Scopes are expressed as `owner_id IN (subquery)` so that they combine with the (owner, …)
indexes of each list and never cost a query of their own (on PostgreSQL, a list of the ids read
with the request's user: crm/scopes.py).

What a page shows *about* a record goes through here too, for the record it shows: a related
record's label (`with_related_flags`: an activity everyone sees may be on a deal only its team
sees), the choices of a picker (`visible_or_current`) and of an owner (`assignable_owners`), the
people of an owner filter (`visible_owners`). Derived data reads visible records only (a deal's
next step: deals/selectors.py; a search hit's company: crm/search.py).
"""

from __future__ import annotations

import time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import BooleanField, Case, Exists, Model, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404

from crm import scopes

_POLICY_TTL_SECONDS = 10.0
_policy_cache: dict[str, object] = {}


def current_policy():
    """The organisation's policy row, cached briefly per process (no query per request)."""
    cached = _policy_cache.get("policy")
    if cached is not None and time.monotonic() - _policy_cache["at"] < _POLICY_TTL_SECONDS:
        return cached
    policy_model = apps.get_model("crm", "VisibilityPolicy")
    policy = policy_model.objects.filter(pk=1).first() or policy_model(pk=1)
    _policy_cache.update(policy=policy, at=time.monotonic())
    return policy


def forget_policy() -> None:
    _policy_cache.clear()


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _is_admin(user) -> bool:
    return user.role == "admin" or user.is_superuser


def _owners(user, level: str):
    """Ids of the users whose records fall in this user's scope at a policy level, as a subquery.

    One `owner_id IN (…)` keeps the scope a single indexable condition, for reps and managers alike.
    """
    ids = scopes.owner_ids(user, level)  # read with the request's user (crm/scopes.py)
    if ids is not None:
        return ids
    # Built and compiled once per user object: a page names it up to eight times (the list's
    # scope, its flags, each search kind and label), and the ORM compiled it anew each time, in
    # every query that named it (about 2 ms of a list on SQLite). As SQL it is compiled into
    # each query as written: it names its own tables, so it reads the same inside any query.
    # Keyed by what it is made of, so a user whose team or role changes gets it anew.
    key = (level, user.team_id, user.role)
    built = getattr(user, "_owner_subqueries", None)
    if built is None:
        built = {}
        user._owner_subqueries = built
    if key not in built:
        team = Q(team_id=user.team_id) if level == "team" and user.team_id else Q(pk=user.pk)
        if user.role == "manager":
            team |= Q(team__managers=user)
        people = get_user_model().objects.filter(team).order_by().values("id")
        built[key] = RawSQL(*people.query.sql_with_params())
    return built[key]


_LEVELS = ("own", "team", "everyone")


def level(user, policy_key: str, action: str = "see", policy=None) -> str:
    """The policy level that applies to this user: "own", "team" or "everyone".

    A manager edits what they see, so their edit level is their see level. A rep never edits
    beyond what they see: "see own records, edit the team's" edits their own records only, so a
    record is never editable (200) by someone who gets 404 on its page.
    """
    policy = policy or current_policy()  # another policy: the settings page's preview
    see = getattr(policy, f"{policy_key}_see")
    if action == "see" or user.role == "manager":
        return see
    edit = getattr(policy, f"{policy_key}_edit")
    return edit if _LEVELS.index(edit) <= _LEVELS.index(see) else see


def owner_ids(user, policy_key: str, action: str = "see"):
    """The owners whose records of this kind the user may see (or change), as a subquery of
    user ids; None means everyone's. An anonymous or inactive user gets no one."""
    if not _active(user):
        return get_user_model().objects.none().values("id")
    if _is_admin(user):
        return None
    scope = level(user, policy_key, action)
    return None if scope == "everyone" else _owners(user, scope)


def scope_q(user, policy_key: str, action: str = "see") -> Q | None:
    """The condition on owner_id for one kind of record; None means no restriction.

    Anonymous and inactive users get a condition that matches nothing.
    """
    if not _active(user):
        return Q(pk__in=[])
    ids = owner_ids(user, policy_key, action)
    return None if ids is None else Q(owner_id__in=ids)


def visible(queryset: QuerySet, user) -> QuerySet:
    return _restrict(queryset, user, "see")


def editable(queryset: QuerySet, user) -> QuerySet:
    # A manager may edit what they may see; a rep's edit scope is its own policy setting.
    return _restrict(queryset, user, "edit")


def _restrict(queryset: QuerySet, user, action: str) -> QuerySet:
    if not _active(user):
        return queryset.none()
    policy_key = getattr(queryset.model, "policy_key", "")
    if not policy_key:
        raise TypeError(f"{queryset.model.__name__} has no visibility policy_key")
    q = scope_q(user, policy_key, action)
    return queryset if q is None else queryset.filter(q)


def get_visible_or_404(queryset: QuerySet, user, **lookup) -> Model:
    """The record if this user may see it; 404 otherwise, so its existence does not leak."""
    try:
        return visible(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc


def get_editable_or_403(queryset: QuerySet, user, **lookup) -> Model:
    """The record if this user may change it; 404 if they may not see it, 403 if read-only."""
    try:  # the common case costs one query; telling 404 from 403 only happens on refusal
        return editable(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        obj = get_visible_or_404(queryset, user, **lookup)
    raise PermissionDenied(f"You may see this {obj._meta.verbose_name} but not change it.")


def can_edit(user, obj: Model) -> bool:
    # The base manager: a soft-deleted record may still be restored by whoever may edit it.
    return editable(type(obj)._base_manager.filter(pk=obj.pk), user).exists()


def assignable_owners(user, model=None, current=None) -> QuerySet:
    """Users a record may be given to by this user: active users whose records they may change.

    With a `model` (an owned record class), the organisation's policy for that kind decides: a rep
    who edits their team's records may hand one to a teammate, a manager under "see everyone" to
    anyone. Without one, the people whose work this user looks after (the adoption report, the
    assignees of meeting action items): everyone for an admin, a manager's own teams, a rep
    themselves. `current` (a user id: the record's owner now) is always a choice, even if
    inactive, so a form that leaves the owner alone saves whatever the policy says.
    """
    users = get_user_model().objects.all()
    if not _active(user):
        return users.none()
    if model is not None:
        ids = owner_ids(user, model.policy_key, "edit")
        allowed = Q(is_active=True) if ids is None else Q(is_active=True, pk__in=ids)
    elif _is_admin(user):
        allowed = Q(is_active=True)
    elif user.role == "manager":
        managed = Q(pk=user.pk) | Q(team__managers=user)
        allowed = Q(is_active=True, pk__in=users.filter(managed).values("id"))
    else:
        allowed = Q(is_active=True, pk=user.pk)
    if current is not None:
        allowed |= Q(pk=getattr(current, "pk", current))
    return users.filter(allowed)


def visible_owners(user, model) -> QuerySet:
    """Active users whose records of this kind the user may see: the choices of an owner filter.

    "own": themselves; "team": their team; a manager also the teams they manage; "everyone" and
    the admin: every active user. Offering anyone else would list people whose records the
    filter can never show — and tell a rep who works in other teams.
    """
    users = get_user_model().objects.filter(is_active=True)
    if not _active(user):
        return users.none()
    ids = owner_ids(user, model.policy_key, "see")
    return users if ids is None else users.filter(pk__in=ids)


# ---- related records -----------------------------------------------------------------------


def related_visible_q(user, path: str, model) -> Q:
    """The record at `path` (a foreign key, e.g. "company" or "deal__company") is set, not
    deleted, and this user may see it: a condition on the rows that link to it."""
    if not _active(user):
        return Q(pk__in=[])
    q = Q(**{f"{path}__isnull": False, f"{path}__deleted_at__isnull": True})
    ids = owner_ids(user, model.policy_key, "see")
    return q if ids is None else q & Q(**{f"{path}__owner_id__in": ids})


def _related_model(model, path: str):
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def visible_flag_name(path: str) -> str:
    return f"{path.replace('__', '_')}_visible"


def with_related_flags(queryset: QuerySet, user, *paths: str) -> QuerySet:
    """Annotate `<path>_visible` for each related record named ("company", "deal"): whether this
    user may see it, so a page shows its label (or only that there is one it may not open).

    A record a user may see can link to one they may not (an activity seen by everyone, on a
    deal seen by its team): every label of a related record shown next to a record must check
    its flag. Computed in the same query, on the join the page makes anyway.
    """
    flags = {}
    for path in paths:
        condition = related_visible_q(user, path, _related_model(queryset.model, path))
        flags[visible_flag_name(path)] = Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    return queryset.annotate(**flags)


def related_label(record, path: str, field: str | None = None) -> str:
    """The label of the related record at `path` if the row's flag says this user may see it,
    else "" (`with_related_flags` must have annotated the row; unannotated means hidden)."""
    if not getattr(record, visible_flag_name(path), False):
        return ""
    related = record
    for name in path.split("__"):
        related = getattr(related, name, None)
        if related is None:
            return ""
    return str(getattr(related, field) if field else related)


def linked_now(instance: Model, name: str) -> Q | None:
    """What a saved record links to through its field `name` now, as a condition on the linked
    records' pk (a foreign key's id, or a subquery of a many-to-many's rows: no query); None
    for a new record, an empty link, or a name that is no relation of the model."""
    if instance.pk is None:
        return None
    try:
        link = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if link.many_to_many and not link.auto_created:
        rows = link.remote_field.through.objects.filter(**{link.m2m_field_name(): instance.pk})
        return Q(pk__in=rows.values(link.m2m_reverse_name()))
    if link.many_to_one and getattr(instance, link.attname, None) is not None:
        return Q(pk=getattr(instance, link.attname))
    return None


def visible_or_current(queryset: QuerySet, user, current: Q | None = None) -> QuerySet:
    """A picker's choices: the records this user may see, plus `current` (the record's present
    choice) even if they may not, annotated `is_visible` so the picker can show such a choice
    without its name. An editor who may not see a contact's company must not drop the link by
    saving the contact: the link stays a valid, selected choice, as "a company you cannot see".
    """
    if not _active(user) or current is None:
        return visible(queryset, user)
    scope = scope_q(user, queryset.model.policy_key)
    if scope is None:
        return queryset.annotate(is_visible=Value(True, output_field=BooleanField()))
    flag = Case(When(scope, then=Value(True)), default=Value(False), output_field=BooleanField())
    return queryset.filter(scope | current).annotate(is_visible=flag)


def _with_flag(queryset: QuerySet, name: str, scope: QuerySet) -> QuerySet:
    return queryset.annotate(**{name: Exists(scope.filter(pk=OuterRef("pk")))})


def with_visible_flag(queryset: QuerySet, user) -> QuerySet:
    """Annotate `is_visible` on each row: used where a record may be found but not shown
    (duplicate checks), so the page can say only what `duplicate_hint` allows."""
    return _with_flag(queryset, "is_visible", visible(queryset.model.objects.all(), user))


def duplicate_hint(record) -> str:
    """All that a user learns of a duplicate they may not see: that it exists, and whose it is.

    Only for an exact e-mail or phone match — never for a similar name, which would let anyone
    list another team's contacts by typing.
    """
    return f"Already in Huddle, owned by {record.owner}"


def with_editable_flag(queryset: QuerySet, user) -> QuerySet:
    """Annotate `is_editable` on each row (e.g. board cards: only those may be dragged).

    A condition on the row's own owner, not an EXISTS over the table: PostgreSQL planned that
    subquery as a hash of every editable row, ignoring the page's LIMIT (25–75 ms a list)."""
    if not _active(user):
        return queryset.annotate(is_editable=Value(False, output_field=BooleanField()))
    scope = scope_q(user, queryset.model.policy_key, "edit")
    condition = Q(deleted_at__isnull=True) & (scope if scope is not None else Q())
    return queryset.annotate(
        is_editable=Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def _managed_teams(user) -> QuerySet:
    return apps.get_model("crm", "Team").objects.filter(managers=user).values("id")


def team_visible(queryset: QuerySet, user) -> QuerySet:
    """Records scoped by a team instead of an owner (meeting agendas): their owner, the managers
    of their team and admins see them; the team's reps see them read-only."""
    if not _active(user):
        return queryset.none()
    if _is_admin(user):
        return queryset
    q = Q(owner=user) | Q(team_id__in=_managed_teams(user))
    if user.team_id:
        q |= Q(team_id=user.team_id)
    return queryset.filter(q)


def team_editable(queryset: QuerySet, user) -> QuerySet:
    """Team-scoped records are changed by their owner, their team's managers and admins."""
    if not _active(user):
        return queryset.none()
    if _is_admin(user):
        return queryset
    if user.role != "manager":
        return queryset.none()
    return queryset.filter(Q(owner=user) | Q(team_id__in=_managed_teams(user)))


def listed_users(user) -> QuerySet:
    """The people Settings → Users shows this user: everyone to an admin (who changes them), the
    members of a manager's teams and the manager (read-only), nobody to a rep."""
    users = get_user_model().objects.all()
    if not _active(user):
        return users.none()
    if _is_admin(user):
        return users
    if user.role != "manager":
        return users.none()
    return users.filter(Q(pk=user.pk) | Q(team_id__in=_managed_teams(user)))


def require_admin(user, what: str) -> None:
    """Settings pages are the admin's: anyone else gets 403 ("Only an admin may change …")."""
    if not (_active(user) and user.is_admin):
        raise PermissionDenied(f"Only an admin may change {what}.")
