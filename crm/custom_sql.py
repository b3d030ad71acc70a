"""Custom values in SQL: one expression per field for filtering and sorting, and an index on
exactly that expression, created and dropped as the admin changes the field.

Django's own JSON key lookup compiles to a CASE over JSON_TYPE on SQLite and to a jsonb
comparison on PostgreSQL; neither can use a plain expression index. So lists filter and sort
by `value(spec)` instead — JSON_EXTRACT(custom, '$."key"') on SQLite, (custom ->> 'key') on
PostgreSQL (cast to double precision for numbers) — and `sync(spec)` keeps an index on
(that expression, id) for every live field that lists filter or sort by. Keys are slugs
(`[a-z0-9_]`), so the path is written into the SQL, as the index must be, never a parameter.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection
from django.db.models import Expression, F, FloatField, Func, TextField

from crm.custom_fields import Spec

_KEY = re.compile(r"^[a-z0-9_]{1,40}$")
NUMERIC = ("number", "money")
UNINDEXED = ("multiple_choice", "long_text")


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"Not a custom field key: {key!r}")
    return key


class _Extract(Func):
    """The stored value of one key of the `custom` column (see the module docstring)."""

    def __init__(self, key: str, numeric: bool):
        self.key = _checked(key)
        self.numeric = numeric
        super().__init__(F("custom"), output_field=FloatField() if numeric else TextField())

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"JSON_EXTRACT({column}, '$.\"{self.key}\"')", params

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        text = f"({column} ->> '{self.key}')"
        return (f"({text}::double precision)" if self.numeric else text), params

    def as_sql(self, compiler, connection, **extra):  # other databases: Django's own lookup
        raise NotImplementedError(f"Custom field SQL for {connection.vendor}")


def value(spec: Spec) -> Expression:
    return _Extract(spec.key, spec.type in NUMERIC)


def _models(kind: str) -> list:
    from crm.models import OwnedModel

    return [
        m
        for m in apps.get_models()
        if issubclass(m, OwnedModel) and m.policy_key == kind and not m._meta.proxy
    ]


def index_name(table: str, key: str) -> str:
    return f"cf_{table}_{_checked(key)}"[:63]


def _index_sql(table: str, spec: Spec) -> str:
    key = _checked(spec.key)
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        expression = f"JSON_EXTRACT({quote('custom')}, '$.\"{key}\"')"
    else:
        expression = f"({quote('custom')} ->> '{key}')"
        if spec.type in NUMERIC:
            expression = f"({expression}::double precision)"
    name = quote(index_name(table, key))
    return f"CREATE INDEX IF NOT EXISTS {name} ON {quote(table)} (({expression}), {quote('id')})"


def wanted(spec: Spec) -> bool:
    """A live field that lists filter or sort by gets an index."""
    return not spec.archived and (spec.filterable or spec.in_list) and spec.type not in UNINDEXED


def sync(spec: Spec) -> list[str]:
    """Create or drop the field's index on each table of its kind; returns what it did."""
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
                cursor.execute(_index_sql(table, spec))
                done.append(f"indexed {table}.{spec.key}")
            else:
                name = connection.ops.quote_name(index_name(table, spec.key))
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
                done.append(f"dropped {table}.{spec.key}")
    return done
