"""Services every owned record shares: create, change and (soft) delete, stamped with who did it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from crm.models import OwnedModel


@transaction.atomic
def record_create(*, record: OwnedModel, by, m2m: dict | None = None) -> OwnedModel:
    """Save a new record on behalf of `by`; its owner defaults to them."""
    if not record.owner_id:
        record.owner = by
    record.created_by = by
    record.updated_by = by
    record.full_clean()
    record.save()
    for name, values in (m2m or {}).items():
        getattr(record, name).set(values)
    return record


@transaction.atomic
def record_update(
    *, record: OwnedModel, by, fields: list[str], m2m: dict | None = None
) -> OwnedModel:
    """Save the named fields of an existing record and bump its version."""
    record.touch(by)
    record.full_clean()
    record.save(update_fields=[*fields, "updated_by", "updated_at", "version", *_derived(record)])
    for name, values in (m2m or {}).items():
        getattr(record, name).set(values)
    return record


def _derived(record: OwnedModel) -> list[str]:
    """Normalised copies that save() recomputes must be written too."""
    return [f.name for f in record._meta.concrete_fields if f.name.endswith("_normalized")]


@transaction.atomic
def record_delete(*, record: OwnedModel, by) -> OwnedModel:
    """Soft delete: the record leaves every list at once and can be restored."""
    record.deleted_at = timezone.now()
    record.touch(by)
    record.save(update_fields=["deleted_at", "updated_by", "updated_at", "version"])
    return record


@transaction.atomic
def record_restore(*, record: OwnedModel, by) -> OwnedModel:
    record.deleted_at = None
    record.touch(by)
    record.save(update_fields=["deleted_at", "updated_by", "updated_at", "version"])
    return record
