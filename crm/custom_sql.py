"""Custom values in SQL: one expression per field for filtering and sorting, and indexes on
exactly that expression, created and dropped as the admin changes the field.

Django's own JSON key lookup compiles to a CASE over JSON_TYPE on SQLite and to a jsonb
comparison on PostgreSQL; neither can use a plain expression index. So lists filter and sort
by `value(spec)` instead — JSON_EXTRACT(custom, '$."key"') on SQLite, (custom ->> 'key') on
PostgreSQL (cast to double precision for numbers) — and `sync(spec)` keeps an index on
(that expression, id) for every live field that lists filter or sort by. Keys are slugs
(`[a-z0-9_]`), so the path is written into the SQL, as the index must be, never a parameter.

Sorting with empty values last both ways (ASC NULLS LAST, DESC NULLS LAST): SQLite reads one
index either way (it skips the NULLs and reads them after); PostgreSQL reads an index only in
its own NULLS order, so there it gets a second one, `cfd_…` (expression DESC NULLS LAST, id
DESC). A generated column instead of the expression was measured too (issue 14): no faster to
read, and on PostgreSQL adding a stored one rewrites the whole table under an exclusive lock.

Filtering (`filtered`): PostgreSQL's ANALYZE keeps a histogram of each indexed expression, so
its planner knows whether a value or range is rare (read the index) or common (read the list's
sort order and skip what does not match). SQLite keeps only an average rows-per-value, so it
guesses — and a wrong guess costs 40–180 ms at 100,000 rows either way: a range matching every
deal read through the index and then sorted, or a choice nobody has read by walking all the
contacts by name. So on SQLite the filter first counts, through the index, up to PROBE_ROWS
matches (well under a millisecond), and then tells the planner which way to go.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection, connections
from django.db.models import Expression, F, FloatField, Func, Q, TextField

from crm.custom_fields import Spec
from crm.planner import Rare

_KEY = re.compile(r"^[a-z0-9_]{1,40}$")
NUMERIC = ("number", "money")
UNINDEXED = ("multiple_choice", "long_text")
# Fewer matches than this: read them through the index (≤ ~2 ms of rows to sort); more: walk
# the list's own order, where a page of matches comes within ~26 × rows / PROBE_ROWS rows.
PROBE_ROWS = 1000


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"Not a custom field key: {key!r}")
    return key


class _Extract(Func):
    """The stored value of one key of the `custom` column (see the module docstring).

    `indexed=False` writes it as `+JSON_EXTRACT(…)` on SQLite: the same value, but a term no
    index answers, so the planner reads the list's order instead (PostgreSQL: unchanged).
    """

    def __init__(self, key: str, numeric: bool, *, indexed: bool = True):
        self.key = _checked(key)
        self.numeric = numeric
        self.indexed = indexed
        super().__init__(F("custom"), output_field=FloatField() if numeric else TextField())

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"JSON_EXTRACT({column}, '$.\"{self.key}\"')"
        return (sql if self.indexed else f"(+{sql})"), params

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        text = f"({column} ->> '{self.key}')"
        return (f"({text}::double precision)" if self.numeric else text), params

    def as_sql(self, compiler, connection, **extra):  # other databases: Django's own lookup
        raise NotImplementedError(f"Custom field SQL for {connection.vendor}")


def value(spec: Spec) -> Expression:
    return _Extract(spec.key, spec.type in NUMERIC)


def filtered(queryset, spec: Spec, **bounds):
    """`queryset` where the field's value passes `bounds` (exact=…, or gte=… and/or lte=…, all
    ends of a range at once), through its indexed expression.

    On SQLite, first count up to PROBE_ROWS matches through the index: fewer, and the index
    finds them all; more, and the list walks its own order to the first page of them (see the
    module docstring). PostgreSQL's planner decides this itself.
    """
    alias = f"cf_{spec.key}"
    condition = Q(**{f"{alias}__{op}": bound for op, bound in bounds.items()})
    if connections[queryset.db].vendor != "sqlite":
        return queryset.alias(**{alias: value(spec)}).filter(condition)
    probe = queryset.model._base_manager.using(queryset.db).alias(**{alias: value(spec)})
    probe = probe.filter(Rare(condition)).order_by().values("pk")[:PROBE_ROWS]
    if probe.count() < PROBE_ROWS:  # read from the index alone (it holds the expression and id)
        return queryset.alias(**{alias: value(spec)}).filter(Rare(condition))
    walked = _Extract(spec.key, spec.type in NUMERIC, indexed=False)
    return queryset.alias(**{alias: walked}).filter(condition)


def _models(kind: str) -> list:
    from crm.models import OwnedModel

    return [
        m
        for m in apps.get_models()
        if issubclass(m, OwnedModel) and m.policy_key == kind and not m._meta.proxy
    ]


def index_name(table: str, key: str) -> str:
    return f"cf_{table}_{_checked(key)}"[:63]


def descending_index_name(table: str, key: str) -> str:
    """PostgreSQL's second index, for DESC NULLS LAST (at most 4 + 17 + 1 + 40 characters)."""
    return f"cfd_{table}_{_checked(key)}"[:63]


def _index_sql(table: str, spec: Spec) -> list[str]:
    key = _checked(spec.key)
    quote = connection.ops.quote_name
    create = f"CREATE INDEX IF NOT EXISTS {{name}} ON {quote(table)} {{columns}}"
    if connection.vendor == "sqlite":
        expression = f"JSON_EXTRACT({quote('custom')}, '$.\"{key}\"')"
        columns = f"(({expression}), {quote('id')})"
        return [create.format(name=quote(index_name(table, key)), columns=columns)]
    expression = f"({quote('custom')} ->> '{key}')"
    if spec.type in NUMERIC:
        expression = f"({expression}::double precision)"
    ascending = f"(({expression}), {quote('id')})"
    descending = f"(({expression}) DESC NULLS LAST, {quote('id')} DESC)"
    return [
        create.format(name=quote(index_name(table, key)), columns=ascending),
        create.format(name=quote(descending_index_name(table, key)), columns=descending),
    ]


def wanted(spec: Spec) -> bool:
    """A live field that lists filter or sort by gets an index."""
    return not spec.archived and (spec.filterable or spec.in_list) and spec.type not in UNINDEXED


def sync(spec: Spec) -> list[str]:
    """Create or drop the field's indexes on each table of its kind; returns what it did."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    done = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # PostgreSQL refuses CREATE INDEX on a table with deferred foreign-key checks still
            # pending in this transaction: run them now (they would run at commit anyway).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in _models(spec.kind):
            table = model._meta.db_table
            if wanted(spec):
                for sql in _index_sql(table, spec):
                    cursor.execute(sql)
                done.append(f"indexed {table}.{spec.key}")
            else:
                for name in (index_name(table, spec.key), descending_index_name(table, spec.key)):
                    cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
                done.append(f"dropped {table}.{spec.key}")
    return done


def sync_all() -> list[str]:
    """`sync` every custom field, archived ones too: after a migration (SQLite rebuilds a table
    with only the indexes its model declares) or an upgrade that changed the index shapes."""
    from crm import custom_fields

    custom_fields.forget()
    return [done for spec in custom_fields.all_fields() for done in sync(spec)]
