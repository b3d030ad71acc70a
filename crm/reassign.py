"""Handing every record of one user to another, and deactivating a user: one transaction each.

A deactivated user's records stay; they change owner, each with a history row that says who
moved it and why, the way an edit would (version bumped, so a form open on it meanwhile is
stale rather than silently overwritten). Soft-deleted records move too: restored later, they
belong to someone who still works here.
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from crm.models import OwnedModel, SearchEntry

BATCH = 2000

# Sent inside the transaction after the records moved: what an app keeps per owner (the activity
# counts) follows them. Bulk updates send no post_save.
reassigned = Signal()


def owned_models() -> list[type[OwnedModel]]:
    """Every owned record class with a policy of its own (company, contact, deal, activity)."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, OwnedModel) and model.policy_key and not model._meta.abstract
    ]


def owned_counts(user) -> dict[str, int]:
    """How many records of each kind `user` owns, soft-deleted ones included, by plural name."""
    return {
        str(model._meta.verbose_name_plural): model.all_objects.filter(owner=user).count()
        for model in owned_models()
    }


def describe(counts: dict[str, int]) -> str:
    """ "1 company, 84 contacts, 384 activities and 36 deals" (plural names as owned_counts)."""
    singular = {str(m._meta.verbose_name_plural): str(m._meta.verbose_name) for m in owned_models()}
    parts = [f"{n:,} {singular[name] if n == 1 else name}" for name, n in counts.items() if n]
    return " and ".join(", ".join(parts).rsplit(", ", 1)) if parts else "nothing"


@transaction.atomic
def reassign_records(*, from_user, to_user, by) -> dict[str, int]:
    """Give every record `from_user` owns to `to_user`; returns how many moved, per kind."""
    if from_user.pk == to_user.pk:
        raise ValueError("Records are reassigned to someone else.")
    now = timezone.now()
    reason = f"Reassigned from {from_user} to {to_user}"
    moved = {}
    for model in owned_models():
        ids = list(model.all_objects.filter(owner=from_user).values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = model.all_objects.filter(pk__in=ids[start : start + BATCH])
            # One UPDATE that bumps each row's own version: an edit committed meanwhile keeps
            # its values, and a form still open on the old version is stale, as after any edit.
            batch.filter(owner=from_user).update(
                owner=to_user, updated_by=by, updated_at=now, version=F("version") + 1
            )
            model.history.bulk_history_create(
                list(batch.filter(owner=to_user)),
                batch_size=500,
                update=True,
                default_user=by,
                default_change_reason=reason,
                default_date=now,
            )
        moved[str(model._meta.verbose_name_plural)] = len(ids)
    # Bulk updates send no post_save: the search entries follow here, the rest on the signal.
    SearchEntry.objects.filter(owner_id=from_user.pk).update(owner_id=to_user.pk)
    reassigned.send(sender=None, from_user=from_user, to_user=to_user)
    return moved


@transaction.atomic
def deactivate(*, user, reassign_to, by) -> dict[str, int]:
    """The user can no longer log in, every session of theirs ends, their records go to
    `reassign_to` (required when they own any)."""
    moved = {}
    if reassign_to is not None:
        moved = reassign_records(from_user=user, to_user=reassign_to, by=by)
    elif any(owned_counts(user).values()):
        raise ValueError("Their records need a new owner.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.end_sessions()
    return moved
