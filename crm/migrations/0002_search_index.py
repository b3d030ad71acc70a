"""The text index behind global search: FTS5 on SQLite, pg_trgm on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE crm_searchentry_fts USING fts5(
        terms, content='crm_searchentry', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3')""",
    """CREATE TRIGGER crm_searchentry_fts_insert AFTER INSERT ON crm_searchentry BEGIN
        INSERT INTO crm_searchentry_fts(rowid, terms) VALUES (new.id, new.terms); END""",
    """CREATE TRIGGER crm_searchentry_fts_delete AFTER DELETE ON crm_searchentry BEGIN
        INSERT INTO crm_searchentry_fts(crm_searchentry_fts, rowid, terms)
        VALUES ('delete', old.id, old.terms); END""",
    """CREATE TRIGGER crm_searchentry_fts_update AFTER UPDATE ON crm_searchentry BEGIN
        INSERT INTO crm_searchentry_fts(crm_searchentry_fts, rowid, terms)
        VALUES ('delete', old.id, old.terms);
        INSERT INTO crm_searchentry_fts(rowid, terms) VALUES (new.id, new.terms); END""",
    "INSERT INTO crm_searchentry_fts(crm_searchentry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS crm_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS crm_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS crm_searchentry_fts_update",
    "DROP TABLE IF EXISTS crm_searchentry_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX crm_searchentry_terms_trgm ON crm_searchentry USING gin (terms gin_trgm_ops)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS crm_searchentry_terms_trgm"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
