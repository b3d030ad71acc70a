"""Who may see and who may change a record: decided here and nowhere else.

Every owned record is scoped by its owner. The rules, per kind of record:

- an admin sees and edits everything;
- a rep sees what the organisation's policy says (own, team or everyone) and edits own or team;
- a manager sees and edits the rep scope plus everything owned by members of the teams they manage;
- anyone else (anonymous, inactive) sees nothing: the default is `.none()`.

Scopes are expressed as `owner_id IN (subquery)` so that they combine with the (owner, …)
indexes of each list and never cost a query of their own.
"""

from __future__ import annotations

import time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
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


def _team_member_ids(team_id):
    return get_user_model().objects.filter(team_id=team_id).values("id")


def _managed_member_ids(user):
    return get_user_model().objects.filter(team__managers=user).values("id")


def _rep_scope(user, level: str) -> Q | None:
    """The rep part of a scope; None means everything."""
    if level == "everyone":
        return None
    if level == "team" and user.team_id:
        return Q(owner_id__in=_team_member_ids(user.team_id))
    return Q(owner_id=user.pk)


def _scope(user, policy_key: str, action: str) -> Q | None:
    level = getattr(current_policy(), f"{policy_key}_{action}")
    rep = _rep_scope(user, level)
    if user.role == "manager" and rep is not None:
        return rep | Q(owner_id__in=_managed_member_ids(user))
    return rep


def visible(queryset: QuerySet, user) -> QuerySet:
    return _restrict(queryset, user, "see")


def editable(queryset: QuerySet, user) -> QuerySet:
    # A manager may edit what they may see; a rep's edit scope is its own policy setting.
    action = "see" if _active(user) and user.role == "manager" else "edit"
    return _restrict(queryset, user, action)


def _restrict(queryset: QuerySet, user, action: str) -> QuerySet:
    if not _active(user):
        return queryset.none()
    if _is_admin(user):
        return queryset
    policy_key = queryset.model.policy_key
    if not policy_key:
        raise TypeError(f"{queryset.model.__name__} has no visibility policy_key")
    q = _scope(user, policy_key, action)
    return queryset if q is None else queryset.filter(q)


def get_visible_or_404(queryset: QuerySet, user, **lookup) -> Model:
    """The record if this user may see it; 404 otherwise, so its existence does not leak."""
    try:
        return visible(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc


def get_editable_or_403(queryset: QuerySet, user, **lookup) -> Model:
    """The record if this user may change it; 404 if they may not see it, 403 if read-only."""
    obj = get_visible_or_404(queryset, user, **lookup)
    if not can_edit(user, obj):
        raise PermissionDenied(f"You may see this {obj._meta.verbose_name} but not change it.")
    return obj


def can_edit(user, obj: Model) -> bool:
    return editable(type(obj).objects.filter(pk=obj.pk), user).exists()


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
