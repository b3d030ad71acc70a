"""Activity per owner, day and kind (contacts.ActivityDay), kept equal to the activities table.

Reports that count activities (activity per rep per week, adoption) must answer within 150 ms
over a million activities, so they read these rows instead (DECISIONS: Measuring). Like the
search entries, the rows are derived data that must follow every path that writes an activity
— the services, the Django admin, test factories — which is what signals are for; bulk loads
call `rebuild()`.

A write never adjusts a count by one: it recounts the (owner, day, kind) rows it touched from
the activities themselves (one indexed range of one owner's day), so a row that was ever wrong
is right again after the next write to it. An activity that moves (new owner, new time, new
kind) fixes its old row and its new one. Rows whose recount is zero are removed, so the table
holds exactly what `rebuild()` would produce.

A meeting cancelled in its calendar (calendars/) is kept but did not happen: it counts nowhere.

The day is the date of `occurs_at` in the organisation time zone (settings.TIME_ZONE): the same
day that "today" and the weeks of the reports use, whatever the offset on that date (DST).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateField, Max, Min, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone

from contacts.models import Activity, ActivityDay

# The fields an activity's row depends on; a save that writes none of them changes no count.
_KEY_FIELDS = frozenset({"owner", "owner_id", "occurs_at", "kind"})
_COUNTED_FIELDS = _KEY_FIELDS | {"done", "deleted_at", "cancelled"}

Key = tuple[int, date, str]  # (owner_id, day, kind)


def day_of(moment: datetime) -> date:
    """The organisation's calendar date of an instant."""
    moment = Activity._meta.get_field("occurs_at").to_python(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants [start, end) of one organisation day: 23, 24 or 25 hours long."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)
    return start, end


def _key(owner_id, occurs_at, kind) -> Key | None:
    if owner_id is None or occurs_at is None or not kind:
        return None
    return (owner_id, day_of(occurs_at), kind)


def refresh(keys, *, may_empty=()) -> None:
    """Recount these (owner, day, kind) rows from the activities: one statement per row.

    An upsert writes the recount; rows in `may_empty` (an activity left them) are then removed
    if nothing is left to count. `done IN (false, true)` selects every activity, and lets the
    (owner, kind, done, occurs_at) index bound the time range: without it SQLite walked the
    owner's whole day by (owner, occurs_at) and read every row (1,519 for 411 tasks, 5 ms).
    """
    quote = connection.ops.quote_name
    table, activities = quote(ActivityDay._meta.db_table), quote(Activity._meta.db_table)
    columns = ", ".join(quote(c) for c in ("owner_id", "day", "kind", "count", "done_count"))
    upsert = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, %s, %s, COUNT(*), COUNT(CASE WHEN {quote('done')} THEN 1 END) "
        f"FROM {activities} WHERE {quote('owner_id')} = %s AND {quote('kind')} = %s "
        f"AND {quote('done')} IN (%s, %s) "
        f"AND {quote('occurs_at')} >= %s AND {quote('occurs_at')} < %s "
        f"AND {quote('deleted_at')} IS NULL AND NOT {quote('cancelled')} "
        f"ON CONFLICT ({quote('owner_id')}, {quote('day')}, {quote('kind')}) DO UPDATE SET "
        f"{quote('count')} = excluded.{quote('count')}, "
        f"{quote('done_count')} = excluded.{quote('done_count')}"
    )
    ops = connection.ops
    with connection.cursor() as cursor:
        for owner_id, day, kind in keys:
            start, end = day_bounds(day)
            cursor.execute(
                upsert,
                [
                    owner_id,
                    ops.adapt_datefield_value(day),
                    kind,
                    owner_id,
                    kind,
                    False,
                    True,
                    ops.adapt_datetimefield_value(start),
                    ops.adapt_datetimefield_value(end),
                ],
            )
    for owner_id, day, kind in may_empty:
        ActivityDay.objects.filter(owner_id=owner_id, day=day, kind=kind, count=0).delete()


# ---- signal receivers (connected in ContactsConfig.ready) ----------------------------------------


def remember_old_row(sender, instance: Activity, raw=False, update_fields=None, **kwargs):
    """Before a save that may move an activity to another row, read the row it is in now.

    One small query by primary key, only for saves that write the owner, the time or the kind
    of an existing activity (an edit form that changed one of them, the admin); ticking done,
    deleting and restoring keep the row and cost nothing here.
    """
    instance.__dict__.pop("_rollup_old", None)
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _KEY_FIELDS & frozenset(update_fields):
        return
    old = (
        Activity.all_objects.filter(pk=instance.pk)
        .values_list("owner_id", "occurs_at", "kind")
        .first()
    )
    instance.__dict__["_rollup_old"] = _key(*old) if old else None


def activity_saved(sender, instance: Activity, created=False, raw=False, update_fields=None, **kw):
    old = instance.__dict__.pop("_rollup_old", None)
    if raw or (update_fields is not None and not _COUNTED_FIELDS & frozenset(update_fields)):
        return
    new = _key(instance.owner_id, instance.occurs_at, instance.kind)
    keys = [k for k in dict.fromkeys((new, old)) if k is not None]
    may_empty = [
        k for k in keys if k != new or instance.deleted_at is not None or instance.cancelled
    ]
    refresh(keys, may_empty=may_empty)


def activity_deleted(sender, instance: Activity, **kwargs):
    key = _key(instance.owner_id, instance.occurs_at, instance.kind)
    if key is not None:
        refresh([key], may_empty=[key])


# ---- after a bulk load ---------------------------------------------------------------------------


@transaction.atomic
def owner_reassigned(sender, from_user, to_user, **kwargs):
    """crm.reassign.reassigned receiver: every activity of `from_user` now is `to_user`'s, so
    their rows are recounted for both (one statement per row; a one-off admin action)."""
    rows = list(ActivityDay.objects.filter(owner=from_user).values_list("day", "kind"))
    old = [(from_user.pk, day, kind) for day, kind in rows]
    refresh([(to_user.pk, day, kind) for day, kind in rows])
    refresh(old, may_empty=old)


def rebuild() -> int:
    """Recount every row from the activities in one INSERT … SELECT … GROUP BY; returns how many.

    The day is computed by the database in the organisation time zone, so it agrees with
    `day_of()` across DST changes: `AT TIME ZONE` on PostgreSQL (TruncDate with tzinfo); on
    SQLite, the UTC offsets the zone had over the activities' time span, as plain SQL
    (`local_date_sqlite`), because TruncDate there calls back into Python for every row (about
    15 s for a million activities instead of 3).
    """
    ActivityDay.objects.all().delete()
    per_day = (
        Activity.objects.filter(cancelled=False)
        .annotate(day=_local_date())
        .values("owner_id", "day", "kind")
        .annotate(count=Count("id"), done_count=Count("id", filter=Q(done=True)))
        .order_by()
    )
    select, params = per_day.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("owner_id", "day", "kind", "count", "done_count"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(ActivityDay._meta.db_table)} ({columns}) {select}", params
        )
        return cursor.rowcount


def _local_date():
    tz = timezone.get_default_timezone()
    if connection.vendor != "sqlite":
        return TruncDate("occurs_at", tzinfo=tz)
    span = Activity.all_objects.aggregate(lo=Min("occurs_at"), hi=Max("occurs_at"))
    if span["lo"] is None:
        return TruncDate("occurs_at", tzinfo=tz)  # no activities: nothing to compute
    quote = connection.ops.quote_name
    column = f"{quote(Activity._meta.db_table)}.{quote('occurs_at')}"
    sql, params = local_date_sqlite(column, span["lo"], span["hi"], tz)
    return RawSQL(sql, params, output_field=DateField())


def local_date_sqlite(column: str, lo: datetime, hi: datetime, tz) -> tuple[str, list]:
    """SQL for the local date of a SQLite date-time column (naive UTC text) between lo and hi.

    `CASE WHEN col < <first change> THEN date(col, '+3600 seconds') WHEN … END`: one branch per
    stretch of constant UTC offset, found from the zone's rules (to the second), so a moment
    gets exactly the offset its zone had at that moment.
    """
    branches, params = [], []
    stretches = utc_offsets(lo, hi, tz)
    for until, offset in stretches[:-1]:
        branches.append(f"WHEN {column} < %s THEN date({column}, %s)")
        params += [connection.ops.adapt_datetimefield_value(until), f"{offset:+d} seconds"]
    params.append(f"{stretches[-1][1]:+d} seconds")
    if not branches:
        return f"date({column}, %s)", params
    return f"CASE {' '.join(branches)} ELSE date({column}, %s) END", params


def utc_offsets(lo: datetime, hi: datetime, tz) -> list[tuple[datetime | None, int]]:
    """[(until, offset seconds)]: each offset applies before its `until`; the last one after.

    Scans the span a day at a time and pins each change down by bisection to the second (zones
    change offset on whole seconds, and never twice within a day).
    """

    def offset(second: int) -> int:
        return int(datetime.fromtimestamp(second, tz).utcoffset().total_seconds())

    first, last = int(lo.timestamp()) - 1, int(hi.timestamp()) + 1
    current, stretches = offset(first), []
    at = first
    while at < last:
        step = min(at + 86_400, last)
        if offset(step) != current:
            before, after = at, step  # offset(before) == current != offset(after)
            while after - before > 1:
                middle = (before + after) // 2
                if offset(middle) == current:
                    before = middle
                else:
                    after = middle
            stretches.append((datetime.fromtimestamp(after, UTC), current))
            current = offset(after)
            at = after
        else:
            at = step
    stretches.append((None, current))
    return stretches
