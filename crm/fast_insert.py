"""INSERT many model instances at once, as `bulk_create` does, for a fraction of its cost.

`QuerySet.bulk_create` prepares every value through the field's full save path (pre_save,
get_db_prep_save, the compiler's per-value checks): an import of 10,000 contacts with their
lookup rows, search entries and import records spent about two thirds of its time there and
little in the database. Here each field's conversion is chosen once per call, and a plain
value (text, number, key, flag) goes to the driver as it is; dates, decimals and JSON go
through the same `connection.ops` adapters Django itself uses. Rows are written with one
multi-row `INSERT … VALUES … RETURNING pk` per batch, and the new primary keys set on the
instances, as bulk_create does on SQLite and PostgreSQL.

For plain rows only: no signals are sent (bulk_create sends none either), no multi-table
inheritance, no database defaults or expressions as values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from django.db import connection, models

# Field types whose Python value is what the driver takes (a foreign key: its target's id).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}
BATCH = 1000


def _converter(field) -> Callable | None:
    """None: the value goes as it is; else the function that makes it the driver's."""
    ops = connection.ops
    kind = field.get_internal_type()
    if isinstance(field, models.ForeignKey):
        kind = field.target_field.get_internal_type()
        if kind in ("AutoField", "BigAutoField"):
            return None
    if kind in _AS_IS and kind not in ("AutoField", "BigAutoField"):
        return None
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return lambda v: field.get_db_prep_save(v, connection)


def _max_params() -> int:
    """Bind parameters one statement may carry: SQLite's compiled-in limit (Django assumes the
    old 999), PostgreSQL's protocol limit."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


def _value_of(field) -> Callable:
    """How to read the field's value off an instance: auto_now(_add) fields set it, as save does."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, add=True)
    attname = field.attname
    return lambda obj: getattr(obj, attname)


def insert(model, objs: Sequence[models.Model], *, batch: int = BATCH) -> None:
    """Write `objs` (new instances of `model`) and set their primary keys."""
    objs = list(objs)
    if not objs:
        return
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk or getattr(objs[0], pk.attname)]
    if any(getattr(obj, pk.attname) is not None for obj in objs) and pk not in fields:
        raise ValueError("Give every object a primary key, or none.")
    readers = [_value_of(f) for f in fields]
    converters = [_converter(f) for f in fields]
    plan = list(zip(readers, converters, strict=True))
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = pk not in fields
    size = max(1, min(batch, _max_params() // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = []
            for obj in chunk:
                for read, convert in plan:
                    value = read(obj)
                    params.append(value if convert is None or value is None else convert(value))
            sql = head + ", ".join([row_marks] * len(chunk))
            if returning:
                sql += f" RETURNING {quote(pk.column)}"
            cursor.execute(sql, params)
            if returning:
                for obj, (new_pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, new_pk)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
