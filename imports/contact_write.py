"""Planning and writing a contacts file: the contact kind's part of the import (the people,
their e-mail/phone lookup rows); imports/record_write.py holds what all kinds share."""

from __future__ import annotations

from django.utils import timezone

from contacts import addresses
from contacts.importing.mapping import apply
from contacts.models import Contact, ContactHandle
from crm import fast_insert, search
from imports.contact_plan import FIELDS, CompanyPlan, Plan, Planner
from imports.contact_rows import KIND, parse
from imports.models import ImportBatch, ImportedRecord
from imports.record_write import BATCH, create_companies, created_records, history, undoable
from imports.rows import editable_specs


def plan(user, table, mapping, *, on_match: str, lock: bool = False) -> Plan:
    specs = editable_specs(KIND, user)
    rows = [parse(row, specs) for row in apply(table, mapping)]
    planner = Planner(user, on_match=on_match)
    planner.load([row for row in rows if not hasattr(row, "message")], lock=lock)
    for row in rows:
        planner.add(row)
    return planner.finish()


def write(plan: Plan, *, user, batch: ImportBatch, on_match: str) -> None:
    now = timezone.now()
    reason = f"Import {batch.pk}"
    # Companies the written contacts (and company rows) need, created first.
    companies = create_companies(plan.new_companies(on_match), user=user, when=now, reason=reason)
    created, updated, records = [], [], []
    for person in plan.chosen(on_match):
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

    fast_insert.insert(Contact, created)
    history(Contact, created, "+", user=user, reason=reason, when=now)
    update(updated, user=user, reason=reason, when=now)
    addresses.add_handles(created)
    search.refresh_many(created + updated)
    records += created_records(batch, [*companies, *created])
    fast_insert.insert(ImportedRecord, records)


_WRITTEN = [name for name in FIELDS if name != "company"] + [
    "company",
    "name_normalized",
    "email_normalized",
    "phone_normalized",
    "version",
    "updated_by",
    "updated_at",
]


def update(contacts: list[Contact], *, user, reason: str, when, fields=None) -> None:
    """Write changed contacts (their versions already bumped; the rows are locked or the
    transaction is SQLite's only writer), their history, and their lookup rows."""
    if not contacts:
        return
    Contact.all_objects.bulk_update(contacts, fields or _WRITTEN, batch_size=BATCH)
    history(Contact, contacts, "~", user=user, reason=reason, when=when)
    ids = [contact.pk for contact in contacts]
    for start in range(0, len(ids), BATCH * 4):
        ContactHandle.objects.filter(contact_id__in=ids[start : start + BATCH * 4]).delete()
    addresses.add_handles(contact for contact in contacts if contact.deleted_at is None)


def undo(items, records, *, by, when, reason, left) -> tuple[int, int]:
    """Undo of a batch's contacts (imports/record_write.py `undo` for the other kinds)."""
    restored, removed = [], []
    for item, record in undoable(items, records, left):
        if item.action == ImportedRecord.Action.CREATED:
            record.deleted_at = when
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
        record.updated_at = when
        record.normalize()
    fields = ["deleted_at", "version", "updated_by", "updated_at"]
    update(restored, user=by, reason=reason, when=when)
    update(removed, user=by, reason=reason, when=when, fields=fields)
    search.refresh_many(restored + removed)
    return len(restored), len(removed)
