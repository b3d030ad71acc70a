"""Importing contacts: plan, preview, write in one transaction, undo.

Every door (the command, the upload pages) comes here. The writes are the record services'
bulk path: one INSERT or UPDATE per batch of rows, each with its history rows (django-simple-
history's bulk helpers), the e-mail/phone lookup rows and the search entries — the signals the
single-record path relies on are not sent by bulk writes, so this module does their work.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from contacts import addresses
from contacts.importing.files import read_table
from contacts.importing.mapping import Mapping, apply, guess_mapping, signature
from contacts.importing.table import ImportFileError, Table
from contacts.models import Company, Contact, ContactHandle
from crm import custom_fields, search
from crm.history_sql import copy_to_history
from imports.contact_plan import (
    FIELDS,
    CompanyPlan,
    Plan,
    Planner,
    normalize_text,
)
from imports.contact_rows import KIND, parse, targets
from imports.models import ImportBatch, ImportedRecord, SavedMapping

BATCH = 500
_LOCK_KEY = zlib.crc32(b"huddle-import")  # one import (or undo) writes at a time

__all__ = ["ImportFileError", "Result", "UndoRefused", "import_contacts", "undo_import"]


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


def mapping_for(user, table: Table) -> Mapping:
    """The mapping this user chose last time for a file of this shape, else Huddle's guess."""
    found = targets(user)
    saved = SavedMapping.objects.filter(
        user=user, kind=KIND, signature=signature(table.headers)
    ).first()
    if saved is not None:
        return Mapping.from_dict(saved.mapping, table.headers, found)
    return guess_mapping(table.headers, found)


def remember_mapping(user, mapping: Mapping) -> None:
    SavedMapping.objects.update_or_create(
        user=user,
        kind=KIND,
        signature=signature(mapping.headers),
        defaults={"mapping": mapping.to_dict()},
    )


# ---- planning and importing -----------------------------------------------------------------


def plan(user, table: Table, mapping: Mapping, *, on_match: str, lock: bool = False) -> Plan:
    specs = {spec.key: spec for spec in custom_fields.seen_by(KIND, user) if spec.edits(user)}
    rows = [parse(row, specs) for row in apply(table, mapping)]
    planner = Planner(user, on_match=on_match)
    planner.load([row for row in rows if not hasattr(row, "message")], lock=lock)
    for row in rows:
        planner.add(row)
    return planner.finish()


def import_contacts(
    *,
    user,
    data: bytes = b"",
    filename: str,
    table: Table | None = None,
    mapping: Mapping | None = None,
    on_match: str = "update",
    dry_run: bool = False,
) -> Result:
    """Read, plan and (unless a dry run) write a contacts file. ImportFileError for a file
    that cannot be read; nothing is written then. A caller that has read the file already
    (the import pages) passes its `table` instead of the bytes."""
    if on_match not in ImportBatch.OnMatch.values:
        raise ValueError(f"on_match must be one of {', '.join(ImportBatch.OnMatch.values)}")
    if table is None:
        table = read_table(data, filename)
    mapping = mapping or mapping_for(user, table)
    unknown = mapping.unknown_in(table)
    if dry_run:
        result = plan(user, table, mapping, on_match=on_match)
        return Result(result, result.counts(on_match), unknown, None, table.record_name, mapping)
    with transaction.atomic():
        _lock()
        result = plan(user, table, mapping, on_match=on_match, lock=True)
        counts = result.counts(on_match)
        batch = ImportBatch.objects.create(
            user=user,
            kind=KIND,
            filename=filename[:255],
            on_match=on_match,
            counts=counts,
            errors=[error.as_dict() for error in result.errors],
            warnings=result.warnings,
        )
        _write(result, user=user, batch=batch, on_match=on_match)
    return Result(result, counts, unknown, batch, table.record_name, mapping)


def _lock() -> None:
    """Imports and undos run one at a time: two imports of one file at once must not both
    create its people. SQLite's IMMEDIATE transactions already serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _website(text: str) -> str:
    return text if not text or "//" in text else "https://" + text


def _write(plan: Plan, *, user, batch: ImportBatch, on_match: str) -> None:
    now = timezone.now()
    reason = f"Import {batch.pk}"
    chosen = plan.chosen(on_match)
    # Companies the written contacts (and company rows) need, created first.
    wanted = plan.new_companies(on_match)
    companies = []
    for company in wanted:
        owner = company.owner or user
        company.created = Company(
            name=company.name,
            name_normalized=normalize_text(company.name),
            domain=company.domain,
            website=_website(company.website),
            owner=owner,
            created_by=user,
            updated_by=user,
            created_at=now,
            updated_at=now,
        )
        companies.append(company.created)
    Company.objects.bulk_create(companies, batch_size=BATCH)
    _history(Company, companies, "+", user=user, reason=reason, when=now)
    search.refresh_many(companies)

    created, updated, records = [], [], []
    for person in chosen:
        state = dict(person.state)
        company = state.pop("company")
        if isinstance(company, CompanyPlan):
            company = company.record
        if person.existing is None:
            # The instance validated while planning holds exactly this state.
            contact = person.checked or Contact(**state)
            contact.company = company
            contact.owner = person.owner or user
            contact.created_by = contact.updated_by = user
            contact.created_at = contact.updated_at = now
            contact.normalize()
            created.append(contact)
            continue
        contact = person.existing
        records.append(
            ImportedRecord(
                batch=batch,
                model="contacts.contact",
                object_id=contact.pk,
                action=ImportedRecord.Action.UPDATED,
                before={name: person.before[name] for name in person.changed()},
                after_version=contact.version + 1,
            )
        )
        for name, value in state.items():
            setattr(contact, name, value)
        contact.company = company
        contact.version += 1
        contact.updated_by = user
        contact.updated_at = now
        contact.normalize()
        updated.append(contact)

    Contact.objects.bulk_create(created, batch_size=BATCH)
    _history(Contact, created, "+", user=user, reason=reason, when=now)
    _update(updated, user=user, reason=reason, when=now)
    ContactHandle.objects.bulk_create(
        (
            ContactHandle(contact_id=contact.pk, kind=kind, normalized=value)
            for contact in created
            for kind, value in sorted(addresses.handles_of(contact))
        ),
        batch_size=BATCH * 4,
    )
    search.refresh_many(created + updated)
    records += [
        ImportedRecord(
            batch=batch,
            model=model,
            object_id=record.pk,
            action=ImportedRecord.Action.CREATED,
            after_version=record.version,
        )
        for model, group in (("contacts.company", companies), ("contacts.contact", created))
        for record in group
    ]
    ImportedRecord.objects.bulk_create(records, batch_size=BATCH * 2)


_WRITTEN = [name for name in FIELDS if name != "company"] + [
    "company",
    "name_normalized",
    "email_normalized",
    "phone_normalized",
    "version",
    "updated_by",
    "updated_at",
]


def _history(model, records, history_type: str, *, user, reason: str, when) -> None:
    copy_to_history(
        model,
        [record.pk for record in records],
        history_type=history_type,
        user=user,
        reason=reason,
        when=when,
    )


def _update(contacts: list[Contact], *, user, reason: str, when, fields=None) -> None:
    """Write changed contacts (their versions already bumped; the rows are locked or the
    transaction is SQLite's only writer), their history, and their lookup rows."""
    if not contacts:
        return
    Contact.all_objects.bulk_update(contacts, fields or _WRITTEN, batch_size=BATCH)
    _history(Contact, contacts, "~", user=user, reason=reason, when=when)
    ids = [contact.pk for contact in contacts]
    for start in range(0, len(ids), BATCH * 4):
        ContactHandle.objects.filter(contact_id__in=ids[start : start + BATCH * 4]).delete()
    ContactHandle.objects.bulk_create(
        (
            ContactHandle(contact_id=contact.pk, kind=kind, normalized=value)
            for contact in contacts
            if contact.deleted_at is None
            for kind, value in sorted(addresses.handles_of(contact))
        ),
        batch_size=BATCH * 4,
    )


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
        for model, label in ((Contact, "contacts.contact"), (Company, "contacts.company")):
            mine = [item for item in items if item.model == label]
            records = _locked(model, [item.object_id for item in mine])
            restored, removed = [], []
            for item in mine:
                record = records.get(item.object_id)
                if record is None:
                    continue
                if record.version != item.after_version or record.deleted_at is not None:
                    result.left.append(f"{model._meta.verbose_name} “{record}”")
                    continue
                if item.action == ImportedRecord.Action.CREATED:
                    record.deleted_at = now
                    removed.append(record)
                else:
                    for name, value in (item.before or {}).items():
                        if name == "company":
                            record.company_id = value
                        else:
                            setattr(record, name, value)
                    restored.append(record)
                record.version += 1
                record.updated_by = by
                record.updated_at = now
                if model is Contact:
                    record.normalize()
            fields = ["deleted_at", "version", "updated_by", "updated_at"]
            if model is Contact:
                _update(restored, user=by, reason=reason, when=now)
                _update(removed, user=by, reason=reason, when=now, fields=fields)
            elif removed:
                Company.all_objects.bulk_update(removed, fields, batch_size=BATCH)
                _history(Company, removed, "~", user=by, reason=reason, when=now)
            search.refresh_many(restored + removed)
            result.restored += len(restored)
            result.removed += len(removed)
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
