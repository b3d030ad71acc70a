"""Who may see and who may change a record: decided here and nowhere else.

Every owned record is scoped by its owner. The rules, per kind of record:

- an admin sees and edits everything;
- a rep sees what the organisation's policy says (own, team or everyone) and edits own or team;
- a manager sees the rep scope plus everything owned by members of the teams they manage, and
  edits whatever they see (so a "see everyone" policy lets managers edit everyone's records);
- anyone else (anonymous, inactive) sees nothing: the default is `.none()`.

Scopes are expressed as `owner_id IN (subquery)` so that they combine with the (owner, …)
indexes of each list and never cost a query of their own.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

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
    users = get_user_model().objects.all()
    team = Q(team_id=user.team_id) if level == "team" and user.team_id else Q(pk=user.pk)
    if user.role == "manager":
        team |= Q(team__managers=user)
    return users.filter(team).values("id")


def scope_q(user, policy_key: str, action: str = "see") -> Q | None:
    """The condition on owner_id for one kind of record; None means no restriction.

    Anonymous and inactive users get a condition that matches nothing.
    """
    if not _active(user):
        return Q(pk__in=[])
    if _is_admin(user):
        return None
    level = getattr(current_policy(), f"{policy_key}_{action}")
    if level == "everyone":
        return None
    return Q(owner_id__in=_owners(user, level))


def visible(queryset: QuerySet, user) -> QuerySet:
    return _restrict(queryset, user, "see")


def editable(queryset: QuerySet, user) -> QuerySet:
    # A manager may edit what they may see; a rep's edit scope is its own policy setting.
    action = "see" if _active(user) and user.role == "manager" else "edit"
    return _restrict(queryset, user, action)


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


def assignable_owners(user) -> QuerySet:
    """Users a record may be given to by this user: whoever's records they may edit."""
    users = get_user_model().objects.filter(is_active=True)
    if not _active(user):
        return users.none()
    if _is_admin(user):
        return users
    if user.role == "manager":
        return users.filter(Q(pk=user.pk) | Q(team__managers=user)).distinct()
    return users.filter(pk=user.pk)


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
    """Annotate `is_editable` on each row (e.g. board cards: only those may be dragged)."""
    return _with_flag(queryset, "is_editable", editable(queryset.model.objects.all(), user))


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
