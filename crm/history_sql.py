"""History rows for many records at once, copied by the database itself.

django-simple-history's bulk helpers build a historical model instance per record in Python,
which cost more than writing the records (an import of 10,000 contacts spent most of its time
there). The historical table holds the same columns as the record's own, plus the history
fields, so one INSERT … SELECT per chunk writes them from the rows just saved — what the history
then shows is exactly what the table holds.
"""

from __future__ import annotations

from django.db import connection

CHUNK = 2000


def copy_to_history(model, ids, *, history_type: str, user, reason: str, when) -> None:
    """Record the current rows of `ids` as history (`+` created, `~` changed, `-` deleted)."""
    ids = list(ids)
    if not ids:
        return
    history = model.history.model
    own = {f.column for f in model._meta.concrete_fields}
    columns = [f.column for f in history._meta.concrete_fields if f.column in own]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(c) for c in columns)
    extra = ", ".join(
        quote(c)
        for c in ("history_date", "history_type", "history_user_id", "history_change_reason")
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"INSERT INTO {quote(history._meta.db_table)} ({listed}, {extra}) "
            f"SELECT {listed}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} IN ({marks})"
        )
        params = [when, history_type, getattr(user, "pk", user), reason[:100], *chunk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
