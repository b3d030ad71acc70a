"""Services every owned record shares: create, change and (soft) delete, stamped with who did it.

Every change is a guarded UPDATE (crm.models.VersionedModel): it writes only if the row still has
the version this request read. A view whose write lost that race is run once more by
`retry_if_stale`: the second run reads the newer version, so the edit merges or shows the
conflict exactly as an edit from a stale page does.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from crm import custom_fields
from crm.models import OwnedModel, StaleRecord

RETRIES = 3


def retry_if_stale(view):
    """Run a writing view again when its guarded write lost a race (nothing of the lost run was
    committed: the write and everything before it in its transaction rolled back)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        for _ in range(RETRIES):
            try:
                return view(request, *args, **kwargs)
            except StaleRecord:
                continue
        return render(request, "409.html", status=409)

    return wrapper


def validate(record: OwnedModel, fields: list[str] | None = None) -> None:
    """full_clean() of what is being written, without queries that cannot find anything new.

    Skipped: fields an update does not write (they passed when they were written), and the
    existence check of related objects loaded on the record (they were just read from the
    database); each would cost a query.
    """
    exclude = {
        f.name for f in record._meta.concrete_fields if f.is_relation and f.is_cached(record)
    }
    if fields is not None:
        exclude |= {f.name for f in record._meta.concrete_fields if f.name not in fields}
    record.full_clean(exclude=exclude)
    if fields is None or "custom" in fields:  # the admin's fields, checked by type on every write
        try:
            custom_fields.validate_values(record.policy_key, record.custom)
        except ValidationError as error:
            raise ValidationError({"custom": error.messages}) from None


@transaction.atomic(savepoint=False)  # callers are atomic; a savepoint costs 2 queries
def record_create(*, record: OwnedModel, by, m2m: dict | None = None) -> OwnedModel:
    """Save a new record on behalf of `by`; its owner defaults to them."""
    if not record.owner_id:
        record.owner = by
    record.created_by = by
    record.updated_by = by
    validate(record)
    record.save()
    for name, values in (m2m or {}).items():
        _link_new(record, name, values)
    return record


def _link_new(record: OwnedModel, name: str, values) -> None:
    """A new record has no links yet: one INSERT instead of set()'s read-compare-write."""
    manager = getattr(record, name)
    through = manager.through
    rows = {getattr(v, "pk", v) for v in values}
    through.objects.bulk_create(
        through(
            **{manager.source_field_name + "_id": record.pk, manager.target_field_name + "_id": pk}
        )
        for pk in rows
    )


@transaction.atomic(savepoint=False)  # callers are atomic; a savepoint costs 2 queries
def record_update(
    *, record: OwnedModel, by, fields: list[str], m2m: dict | None = None
) -> OwnedModel:
    """Save the named fields of an existing record and bump its version, if it is still at the
    version it was read at (else StaleRecord, and nothing is written)."""
    record.touch(by)
    validate(record, fields)
    record.save(update_fields=[*fields, "updated_by", "updated_at", "version", *_derived(record)])
    for name, values in (m2m or {}).items():
        getattr(record, name).set(values)
    return record


def changed_columns(form, record: OwnedModel) -> list[str]:
    """The record's own columns a bound ModelForm changed (not m2m links, not the version the
    service bumps itself; `custom` for any custom field); `updated_at` when nothing else, so a
    save still stamps who saved."""
    columns = {f.name for f in record._meta.concrete_fields} - {"version"}
    changed = [name for name in form.changed_data if name in columns]
    if any(hasattr(form.fields[name], "custom_spec") for name in form.changed_data):
        changed.append("custom")
    return changed or ["updated_at"]


def _derived(record: OwnedModel) -> list[str]:
    """Normalised copies that save() recomputes must be written too."""
    return [f.name for f in record._meta.concrete_fields if f.name.endswith("_normalized")]


@transaction.atomic(savepoint=False)  # callers are atomic; a savepoint costs 2 queries
def record_delete(*, record: OwnedModel, by) -> OwnedModel:
    """Soft delete: the record leaves every list at once and can be restored."""
    record.deleted_at = timezone.now()
    record.touch(by)
    record.save(update_fields=["deleted_at", "updated_by", "updated_at", "version"])
    return record


@transaction.atomic(savepoint=False)  # callers are atomic; a savepoint costs 2 queries
def record_restore(*, record: OwnedModel, by) -> OwnedModel:
    record.deleted_at = None
    record.touch(by)
    record.save(update_fields=["deleted_at", "updated_by", "updated_at", "version"])
    return record
