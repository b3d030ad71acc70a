"""Changes to deals: a stage move closes or reopens the deal and is recorded in its history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.records import record_update
from deals.models import Deal, Stage


@transaction.atomic
def deal_move_stage(*, deal: Deal, stage: Stage, by, lost_reason: str = "") -> Deal:
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": "That stage belongs to another pipeline."})
    deal.stage = stage
    deal.lost_reason = (lost_reason.strip() or deal.lost_reason) if stage.is_lost else ""
    deal.closed_at = timezone.now() if not stage.is_open else None
    return record_update(record=deal, by=by, fields=["stage", "lost_reason", "closed_at"])
