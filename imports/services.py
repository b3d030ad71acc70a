"""Importing: plan, preview, write in one transaction, undo — for every kind of file
(imports/kinds.py).

Every door (the commands, the upload pages) comes here. The writes are the record services'
bulk path: one INSERT or UPDATE per batch of rows, each with its history rows (django-simple-
history's bulk helpers), the lookup rows, the search entries and the activity rollup — the
signals the single-record path relies on are not sent by bulk writes, so the kinds' writers
do their work.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from contacts.importing.files import read_table
from contacts.importing.mapping import Mapping, guess_mapping, signature
from contacts.importing.table import ImportFileError, Table
from imports import contact_write, kinds, record_write
from imports.models import ImportBatch, SavedMapping
from imports.plan import Plan

BATCH = 500
_LOCK_KEY = zlib.crc32(b"huddle-import")  # one import (or undo) writes at a time

__all__ = [
    "ImportFileError",
    "Result",
    "UndoRefused",
    "import_contacts",
    "import_records",
    "undo_import",
]


@dataclass
class Result:
    plan: Plan
    counts: dict
    unknown: list[str]
    batch: ImportBatch | None = None
    record_name: str = "row"
    mapping: Mapping | None = None

    def as_json(self) -> dict:
        return {
            "batch": self.batch.pk if self.batch else None,
            **{k: self.counts[k] for k in ("new", "updated", "unchanged", "skipped")},
            "errors": [error.as_dict() for error in self.plan.errors],
            "warnings": list(self.plan.warnings),
            "companies_new": self.counts.get("companies_new", 0),
            "not_imported": list(self.unknown),
        }


class UndoRefused(Exception):
    pass


# ---- mapping --------------------------------------------------------------------------------


def mapping_for(user, table: Table, kind: str = "contact") -> Mapping:
    """The mapping this user chose last time for a file of this kind and shape, else Huddle's
    guess."""
    found = kinds.get(kind).targets(user)
    saved = SavedMapping.objects.filter(
        user=user, kind=kind, signature=signature(table.headers)
    ).first()
    if saved is not None:
        return Mapping.from_dict(saved.mapping, table.headers, found)
    return guess_mapping(table.headers, found)


def remember_mapping(user, mapping: Mapping, kind: str = "contact") -> None:
    SavedMapping.objects.update_or_create(
        user=user,
        kind=kind,
        signature=signature(mapping.headers),
        defaults={"mapping": mapping.to_dict()},
    )


# ---- planning and importing -----------------------------------------------------------------


def import_records(
    *,
    kind: str,
    user,
    data: bytes = b"",
    filename: str,
    table: Table | None = None,
    mapping: Mapping | None = None,
    on_match: str = "update",
    dry_run: bool = False,
) -> Result:
    """Read, plan and (unless a dry run) write a file of `kind`. ImportFileError for a file
    that cannot be read; nothing is written then. A caller that has read the file already
    (the import pages) passes its `table` instead of the bytes."""
    if on_match not in ImportBatch.OnMatch.values:
        raise ValueError(f"on_match must be one of {', '.join(ImportBatch.OnMatch.values)}")
    found = kinds.get(kind)
    if table is None:
        table = read_table(data, filename)
    found.check(table)
    mapping = mapping or mapping_for(user, table, kind)
    unknown = mapping.unknown_in(table)
    if dry_run:
        result = found.plan(user, table, mapping, on_match=on_match)
        return Result(result, result.counts(on_match), unknown, None, table.record_name, mapping)
    with transaction.atomic():
        _lock()
        result = found.plan(user, table, mapping, on_match=on_match, lock=True)
        counts = result.counts(on_match)
        batch = ImportBatch.objects.create(
            user=user,
            kind=kind,
            filename=filename[:255],
            on_match=on_match,
            counts=counts,
            errors=[error.as_dict() for error in result.errors],
            warnings=result.warnings,
        )
        found.write(result, user=user, batch=batch, on_match=on_match)
    return Result(result, counts, unknown, batch, table.record_name, mapping)


def import_contacts(**options) -> Result:
    return import_records(kind="contact", **options)


def _lock() -> None:
    """Imports and undos run one at a time: two imports of one file at once must not both
    create its records. SQLite's IMMEDIATE transactions already serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


# ---- undo -----------------------------------------------------------------------------------


@dataclass
class UndoResult:
    restored: int = 0
    removed: int = 0
    left: list[str] = field(default_factory=list)  # changed since the import: left as they are

    def as_json(self) -> dict:
        return {"restored": self.restored, "removed": self.removed, "left": self.left}


def undo_import(*, batch: ImportBatch, by) -> UndoResult:
    """Put back what the batch changed and remove what it created, record by record, where the
    record is still as the import left it (its version); anything changed since is left alone
    and listed. Removing is Huddle's soft delete (restorable); history records both."""
    with transaction.atomic():
        _lock()
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.undone_at is not None:
            raise UndoRefused(f"Import {batch.pk} was already undone.")
        result = UndoResult()
        now = timezone.now()
        reason = f"Undo of import {batch.pk}"
        items = list(batch.records.all())
        for label, (model, planner) in kinds.MODELS.items():
            mine = [item for item in items if item.model == label]
            if not mine:
                continue
            records = _locked(model, [item.object_id for item in mine])
            if planner is None:
                restored, removed = contact_write.undo(
                    mine, records, by=by, when=now, reason=reason, left=result.left
                )
            else:
                restored, removed = record_write.undo(
                    planner(by), mine, records, by=by, when=now, reason=reason, left=result.left
                )
            result.restored += restored
            result.removed += removed
        batch.undone_at, batch.undone_by = now, by
        batch.undo_result = result.as_json()
        batch.save(update_fields=["undone_at", "undone_by", "undo_result"])
    return result


def _locked(model, ids: list[int]) -> dict:
    found = {}
    for start in range(0, len(ids), BATCH * 4):
        queryset = model.all_objects.filter(pk__in=ids[start : start + BATCH * 4])
        if connection.features.has_select_for_update:
            queryset = queryset.select_for_update()
        found.update((record.pk, record) for record in queryset)
    return found
