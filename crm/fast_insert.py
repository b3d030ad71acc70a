"""INSERT many model instances at once, as `bulk_create` does, for a fraction of its cost.

`QuerySet.bulk_create` prepares every value through the field's full save path (pre_save,
get_db_prep_save, the compiler's per-value checks): an import of 10,000 contacts with their
lookup rows, search entries and import records spent about two thirds of its time there and
little in the database. Here each field's conversion is chosen once per call, and a plain
value (text, number, key, flag) goes to the driver as it is; dates, decimals and JSON go
through the same `connection.ops` adapters Django itself uses. On SQLite the rows are written
with one multi-row `INSERT … VALUES … RETURNING pk` per batch, as bulk_create does; on
PostgreSQL the keys are taken from the table's sequence in one query and the rows sent by COPY.
The new primary keys are set on the instances either way.

For plain rows only: no signals are sent (bulk_create sends none either), no multi-table
inheritance, no database defaults or expressions as values.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

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
    pk = model._meta.pk
    given = [getattr(obj, pk.attname) is not None for obj in objs]
    if any(given) and not all(given):
        raise ValueError("Give every object a primary key, or none.")
    postgres = connection.vendor == "postgresql"
    if postgres and not all(given):
        _take_keys(model, objs)
    fields = [f for f in model._meta.concrete_fields if f is not pk or postgres or all(given)]
    readers = [_value_of(f) for f in fields]
    rows = ([read(obj) for read in readers] for obj in objs)
    if pk in fields:
        _write(model, fields, rows, batch=batch)
    else:
        keys = _write(model, fields, rows, batch=batch, returning=True)
        for obj, key in zip(objs, keys, strict=True):
            setattr(obj, pk.attname, key)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_values(model, names: Sequence[str], rows: Iterable[Sequence], *, batch=BATCH) -> None:
    """Rows of values for the named fields (e.g. "contact_id", "kind") of new records whose keys
    nobody needs back — lookup rows, search entries, import records: no model instance is built
    for them (a third of a large import's write went to building instances)."""
    _write(model, [model._meta.get_field(name) for name in names], rows, batch=batch)


def _write(model, fields, rows: Iterable[Sequence], *, batch: int, returning: bool = False):
    """The rows (Python values, in the order of `fields`) converted and written; with
    `returning`, the new keys in row order (SQLite)."""
    converters = [_converter(f) for f in fields]
    converted = (
        [v if c is None or v is None else c(v) for c, v in zip(converters, row, strict=True)]
        for row in rows
    )
    if connection.vendor == "postgresql":
        # Made in full first: a row computed while COPY holds the connection could not query
        # (a search entry reading its contact's company would wait on the COPY forever).
        return _copy(model, fields, list(converted))
    return _insert(model, fields, converted, returning=returning, batch=batch)


def _take_keys(model, objs) -> None:
    """PostgreSQL: the next keys of the table's own sequence, one query for all of them."""
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        for obj, (key,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, key)


def _copy(model, fields, rows) -> None:
    """PostgreSQL's COPY: the rows stream to the server without an SQL statement per batch
    (psycopg's client-side binding parsed each multi-row INSERT's text anew)."""
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        "FROM STDIN"
    )
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:  # counted like any other statement (tests, the bench)
        connection.queries_log.append(
            {"sql": sql, "time": f"{time.monotonic() - started:.3f}", "alias": connection.alias}
        )


def _insert(model, fields, rows, *, returning: bool, batch: int) -> list:
    """SQLite: one multi-row INSERT per batch (… RETURNING pk, as bulk_create writes them)."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(batch, _max_params() // len(fields)))
    keys = []
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, size)):
            sql = head + ", ".join([row_marks] * len(chunk))
            if returning:
                sql += f" RETURNING {quote(pk.column)}"
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                keys += [key for (key,) in cursor.fetchall()]
    return keys
