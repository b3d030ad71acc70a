"""Changes to deals: a stage move closes or reopens the deal and is recorded in its history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.records import record_update
from deals.models import Deal, Stage


class MoveConflict(Exception):
    """The deal is no longer where the person moving it saw it; nothing was changed."""


@transaction.atomic
def deal_move_stage(
    *,
    deal: Deal,
    stage: Stage,
    by,
    lost_reason: str = "",
    seen_version: int | None = None,
    seen_stage_id: int | None = None,
    undo: bool = False,
) -> Deal:
    """Move `deal` to `stage`, as wanted by someone who saw it at `seen_version` in
    `seen_stage_id` (its version is unchanged when nothing needed to move).

    A move is never a toggle: if the deal already stands in the wanted stage nothing happens.
    If someone else moved it since it was seen, the move stops (MoveConflict) rather than
    overwrite their move; a change of any other field merges. An undo applies only while the
    deal is exactly as the move left it (`seen_version` is the version the move produced).
    """
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": "That stage belongs to another pipeline."})
    stale = seen_version is not None and seen_version != deal.version
    if undo and (seen_version is None or stale):
        raise MoveConflict(
            f"Not undone: {deal.updated_by or 'someone'} changed “{deal}” since "
            f"(it is in {deal.stage} now)."
        )
    reason = lost_reason.strip()
    if deal.stage_id == stage.pk and (not stage.is_lost or not reason or undo):
        return deal  # already where it is wanted
    if stale and deal.stage_id != seen_stage_id and deal.stage_id != stage.pk:
        raise MoveConflict(
            f"Not moved: {deal.updated_by or 'someone'} moved “{deal}” to {deal.stage} "
            f"while you were looking."
        )
    deal.stage = stage
    deal.lost_reason = (reason or deal.lost_reason) if stage.is_lost else ""
    deal.closed_at = timezone.now() if not stage.is_open else None
    return record_update(record=deal, by=by, fields=["stage", "lost_reason", "closed_at"])
