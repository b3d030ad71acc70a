"""A record as undo must put it back: every column but the stamps an undo itself moves on
(version, updated_at, updated_by), and its links to contacts — deleted ones too."""

from __future__ import annotations

STAMPS = ("version", "updated_at", "updated_by_id")


def snapshot(record) -> dict:
    model = type(record)
    record = model.all_objects.get(pk=record.pk)
    values = {
        f.attname: getattr(record, f.attname)
        for f in model._meta.concrete_fields
        if f.attname not in STAMPS
    }
    for m2m in model._meta.many_to_many:
        links = m2m.remote_field.through.objects.filter(**{m2m.m2m_field_name(): record.pk})
        values[m2m.name] = sorted(links.values_list(m2m.m2m_reverse_name(), flat=True))
    return values
