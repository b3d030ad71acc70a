"""Search matches word prefixes on PostgreSQL too: a GIN index over the words of `terms`
replaces the trigram index, which no one- or two-letter LIKE could use; entries are stored
folded (no accents), as queries are."""

from unicodedata import combining, normalize

from django.db import migrations

VECTOR = (
    "to_tsvector('simple'::regconfig, "
    "regexp_replace(terms, '[^[:alnum:]]+'::text, ' '::text, 'g'::text))"
)
POSTGRES_FORWARD = [
    f"CREATE INDEX crm_searchentry_terms_words ON crm_searchentry USING gin ({VECTOR})",
    "DROP INDEX IF EXISTS crm_searchentry_terms_trgm",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS crm_searchentry_terms_trgm ON crm_searchentry "
    "USING gin (terms gin_trgm_ops)",
    "DROP INDEX IF EXISTS crm_searchentry_terms_words",
]


def _fold(text: str) -> str:
    return "".join(c for c in normalize("NFKD", text.lower()) if not combining(c))


def fold_terms(apps, schema_editor):
    SearchEntry = apps.get_model("crm", "SearchEntry")
    changed = []
    for entry in SearchEntry.objects.only("id", "terms").iterator(chunk_size=5000):
        if not entry.terms.isascii() and _fold(entry.terms) != entry.terms:
            entry.terms = _fold(entry.terms)
            changed.append(entry)
    SearchEntry.objects.bulk_update(changed, ["terms"], batch_size=1000)


def index(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("crm", "0010_layout_columns")]

    operations = [
        migrations.RunPython(fold_terms, migrations.RunPython.noop),
        migrations.RunPython(index(POSTGRES_FORWARD), index(POSTGRES_BACKWARD)),
    ]
