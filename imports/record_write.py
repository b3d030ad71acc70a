"""Writing a planned import in bulk, and undoing it: what the record services do one record
at a time (versions, who and when, history rows, search entries, derived fields), done for
many records at once. The bulk writes send no signals, so this module does their work; each
kind adds its own derived data through its planner (`prepare`, `written`, `removed`)."""

from __future__ import annotations

from django.utils import timezone

from contacts import bulk
from contacts.models import Company
from crm import fast_insert, search
from crm.history_sql import copy_to_history
from imports.company_match import website
from imports.models import ImportBatch, ImportedRecord
from imports.plan import Plan, normalize_phone, normalize_text

BATCH = 500
ADDED = "+"  # before["+contacts"]: the links an import added to a record it updated
STAMPS = ["version", "updated_by", "updated_at"]


def history(model, records, history_type: str, *, user, reason: str, when) -> None:
    copy_to_history(
        model,
        [record.pk for record in records],
        history_type=history_type,
        user=user,
        reason=reason,
        when=when,
    )


def create_companies(wanted: list, *, user, when, reason: str) -> list[Company]:
    """The companies a file names that no visible company is (company_match.CompanyPlan)."""
    companies = []
    for plan in wanted:
        plan.created = Company(
            name=plan.name,
            name_normalized=normalize_text(plan.name),
            domain=plan.domain,
            website=website(plan.website),
            owner=plan.owner or user,
            created_by=user,
            updated_by=user,
            created_at=when,
            updated_at=when,
        )
        companies.append(plan.created)
    fast_insert.insert(Company, companies)
    history(Company, companies, "+", user=user, reason=reason, when=when)
    search.refresh_many(companies)
    return companies


def created_records(batch: ImportBatch, records) -> list[ImportedRecord]:
    return [
        ImportedRecord(
            batch=batch,
            model=record._meta.label_lower,
            object_id=record.pk,
            action=ImportedRecord.Action.CREATED,
            after_version=record.version,
        )
        for record in records
    ]


def _resolved(value):
    return value.record if getattr(value, "planned", False) else value


def _links(planner, name: str):
    field = planner.model._meta.get_field(name)
    return field.remote_field.through, field.m2m_column_name(), field.m2m_reverse_name()


def write(planner, plan: Plan, *, user, batch: ImportBatch, on_match: str) -> None:
    model, now = planner.model, timezone.now()
    reason = f"Import {batch.pk}"
    companies = create_companies(plan.new_companies(on_match), user=user, when=now, reason=reason)
    own = [name for name in planner.FIELDS if name not in planner.LINKS]
    created, updated, records, old = [], [], [], []
    chosen = plan.chosen(on_match)
    for item in chosen:
        values = {name: _resolved(item.state[name]) for name in own}
        if item.existing is None:
            record = model(**values)
            record.owner = item.owner or user
            record.created_by = record.updated_by = user
            record.created_at = record.updated_at = now
            planner.prepare(record, None, now)
            created.append(record)
            continue
        record = item.existing
        old.append(planner.old_key(record))
        before = {name: item.before[name] for name in item.changed()}
        for name in planner.LINKS:
            if name in before:  # what the import adds: its undo removes those links only
                before[ADDED + name] = sorted(set(item.state[name]) - set(item.before[name]))
        for name, value in values.items():
            setattr(record, name, value)
        before |= planner.prepare(record, item, now)
        record.version += 1
        record.updated_by, record.updated_at = user, now
        records.append(
            ImportedRecord(
                batch=batch,
                model=model._meta.label_lower,
                object_id=record.pk,
                action=ImportedRecord.Action.UPDATED,
                before=before,
                after_version=record.version,
            )
        )
        updated.append(record)
    fast_insert.insert(model, created)
    history(model, created, "+", user=user, reason=reason, when=now)
    if updated:
        fields = [*own, *planner.DERIVED, *STAMPS]
        model.all_objects.bulk_update(updated, fields, batch_size=BATCH)
        history(model, updated, "~", user=user, reason=reason, when=now)
    for name in planner.LINKS:
        through, source, target = _links(planner, name)
        new_records = iter(created)  # in the order of `chosen`
        wanted = set()
        for item in chosen:
            record = item.existing if item.existing is not None else next(new_records)
            wanted |= {(record.pk, other) for other in item.state[name]}
        bulk.add_links(through, source, target, wanted, [r.pk for r in updated])
    if planner.SEARCHED:
        search.refresh_many(created + updated)
    planner.written(created + updated, old)
    records += created_records(batch, [*companies, *created])
    fast_insert.insert(ImportedRecord, records)


def undoable(items: list[ImportedRecord], records: dict, left: list[str]):
    """(item, record) for each record still as the import left it (its version, not deleted
    since); the others are named in `left`, to be left alone."""
    for item in items:
        record = records.get(item.object_id)
        if record is None:
            continue
        if record.version != item.after_version or record.deleted_at is not None:
            left.append(f"{record._meta.verbose_name} “{record}”")
            continue
        yield item, record


def undo(planner, items: list[ImportedRecord], records: dict, *, by, when, reason, left) -> tuple:
    """Put back what `items` changed and remove what they created, where the record is still
    as the import left it (else it is listed in `left`). Returns (restored, removed)."""
    model = planner.model
    restored, removed, old, links = [], [], [], {}
    fields = set()
    for item, record in undoable(items, records, left):
        old.append(planner.old_key(record))
        if item.action == ImportedRecord.Action.CREATED:
            record.deleted_at = when
            fields |= {"deleted_at", *planner.removed(record)}
            removed.append(record)
        else:
            before = item.before or {}
            for name, value in before.items():
                if name.startswith(ADDED):
                    continue
                if name in planner.LINKS:
                    added = before.get(ADDED + name)
                    links.setdefault(name, {})[record.pk] = (value, added)
                    continue
                field = model._meta.get_field(name)
                if field.is_relation:
                    setattr(record, field.attname, value)
                else:
                    setattr(record, name, field.to_python(value))
                fields.add(name)
            planner.normalize(record)
            fields |= set(planner.NORMALIZED)
            restored.append(record)
        record.version += 1
        record.updated_by, record.updated_at = by, when
    changed = restored + removed
    if changed:
        model.all_objects.bulk_update(changed, [*sorted(fields), *STAMPS], batch_size=BATCH)
        history(model, changed, "~", user=by, reason=reason, when=when)
    for name, per_record in links.items():
        # The import only adds links: those it added go, and links added by hand since stay.
        # (A batch recorded before the import kept what it added: every link that was not
        # there before it goes.)
        through, source, target = _links(planner, name)
        rows = through.objects.filter(**{f"{source}__in": sorted(per_record)})
        doomed = []
        for pk, record_id, other in rows.values_list("pk", source, target):
            kept, added = per_record[record_id]
            if (other in added) if added is not None else (other not in kept):
                doomed.append(pk)
        through.objects.filter(pk__in=doomed).delete()
    if planner.SEARCHED:
        search.refresh_many(changed)
    planner.written(restored, old)  # the removed ones count only where they were
    return len(restored), len(removed)


def normalize_company(record: Company) -> None:
    """What Company.save() derives, for the bulk path (which does not call save)."""
    record.name_normalized = normalize_text(record.name)
    record.phone_normalized = normalize_phone(record.phone)
    record.domain = record.domain.strip().lower()
