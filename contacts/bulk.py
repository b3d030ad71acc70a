"""Writes of many activities at once (the calendar import, the activities import): what the
single-record path leaves to signals, done in bulk — the links to contacts, and the activity
rollup (contacts/rollups.py) recounted for the (owner, day, kind) rows touched."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from contacts import rollups
from contacts.models import Activity

BATCH = 500


def add_links(through, source: str, target: str, wanted: set[tuple[int, int]], known=()) -> None:
    """Add the (source id, target id) rows of a many-to-many `through` table that are not
    there yet; links there already are kept. `known` lists the source ids that may have some
    (records that existed before), read first so only what is missing is written. One INSERT …
    ON CONFLICT DO NOTHING, executed for all rows at once (thousands of links: a model instance
    each would cost more than the import's own writes)."""
    ids, have = sorted(known), set()
    for start in range(0, len(ids), BATCH):
        have |= set(
            through.objects.filter(**{f"{source}__in": ids[start : start + BATCH]}).values_list(
                source, target
            )
        )
    rows = sorted(wanted - have)
    if not rows:
        return
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(through._meta.db_table)} ({q(source)}, {q(target)}) "
        "VALUES (%s, %s) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rollup_key(activity: Activity) -> tuple:
    """The (owner, day, kind) row of the activity rollup this activity is counted in."""
    return (activity.owner_id, rollups.day_of(activity.occurs_at), activity.kind)


def refresh_rollups(written: Iterable[Activity], old_keys: Iterable[tuple] = ()) -> None:
    """Recount the rollup rows the written activities are counted in now, and those they were
    counted in before (`old_keys`, read before the write): a row left empty is removed."""
    new = {rollup_key(activity) for activity in written}
    touched = new | set(old_keys)
    rollups.refresh(sorted(touched), may_empty=sorted(touched - new))
