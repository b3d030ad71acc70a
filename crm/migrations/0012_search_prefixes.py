"""PostgreSQL: a table of the first two and three letters of every search entry's words, kept by
triggers on crm_searchentry, for one- to three-letter searches (crm.models.SearchPrefix).

The GIN index finds the entries whose words start with "mu" quickly, but search then ranks them
by title within the searcher's scope, and that read every matching entry from the table: 1,541
rows over 1,311 pages for "mü" as a manager on the bench's large database, 11 ms. From this
table's index, which holds the prefix, kind, title, owner and record, the same ranking reads the
index alone (0.9 ms).

The words are the lexemes of the entry's tsvector, written as the GIN index writes them, so a
prefix here matches exactly what `prefix:*` matches there. Words starting with a digit (phone
numbers, indexed by every tail) are left out: digits go to the GIN index. Statement-level
triggers with transition tables keep it: one INSERT … SELECT per statement, so a bulk load
(COPY) costs one pass, not one per row.
"""

from django.db import migrations, models

WORDS = (
    "unnest(to_tsvector('simple'::regconfig, "
    "regexp_replace(e.terms, '[^[:alnum:]]+'::text, ' '::text, 'g'::text)))"
)
DERIVE = f"""
    INSERT INTO crm_searchprefix (entry_id, prefix, kind, owner_id, object_id, title_sort)
    SELECT DISTINCT e.id, left(w.lexeme, n.length), e.kind, e.owner_id, e.object_id, e.title_sort
    FROM {{source}} e, {WORDS} w, (VALUES (2), (3)) n(length)
    WHERE length(w.lexeme) >= n.length AND w.lexeme !~ '^[0-9]'
"""

FORWARD = [
    """CREATE TABLE crm_searchprefix (
        entry_id bigint NOT NULL,
        prefix varchar(3) NOT NULL,
        kind varchar(20) NOT NULL,
        owner_id bigint NOT NULL,
        object_id bigint NOT NULL,
        title_sort varchar(200) NOT NULL,
        PRIMARY KEY (entry_id, prefix)
    )""",
    DERIVE.format(source="crm_searchentry"),
    # Ordered as search ranks (kind, then title): the window reads it without a sort.
    """CREATE INDEX crm_searchprefix_rank ON crm_searchprefix
        (prefix, kind, title_sort, entry_id) INCLUDE (owner_id, object_id)""",
    f"""CREATE FUNCTION crm_searchprefix_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {DERIVE.format(source="new_entries")};
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION crm_searchprefix_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM crm_searchprefix p USING old_entries o WHERE p.entry_id = o.id;
        {DERIVE.format(source="new_entries")};
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION crm_searchprefix_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM crm_searchprefix p USING old_entries o WHERE p.entry_id = o.id;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION crm_searchprefix_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE crm_searchprefix;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER crm_searchprefix_insert AFTER INSERT ON crm_searchentry
        REFERENCING NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION crm_searchprefix_insert()""",
    """CREATE TRIGGER crm_searchprefix_update AFTER UPDATE ON crm_searchentry
        REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION crm_searchprefix_update()""",
    """CREATE TRIGGER crm_searchprefix_delete AFTER DELETE ON crm_searchentry
        REFERENCING OLD TABLE AS old_entries
        FOR EACH STATEMENT EXECUTE FUNCTION crm_searchprefix_delete()""",
    """CREATE TRIGGER crm_searchprefix_truncate AFTER TRUNCATE ON crm_searchentry
        FOR EACH STATEMENT EXECUTE FUNCTION crm_searchprefix_truncate()""",
    "ANALYZE crm_searchprefix",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS crm_searchprefix_insert ON crm_searchentry",
    "DROP TRIGGER IF EXISTS crm_searchprefix_update ON crm_searchentry",
    "DROP TRIGGER IF EXISTS crm_searchprefix_delete ON crm_searchentry",
    "DROP TRIGGER IF EXISTS crm_searchprefix_truncate ON crm_searchentry",
    "DROP FUNCTION IF EXISTS crm_searchprefix_insert()",
    "DROP FUNCTION IF EXISTS crm_searchprefix_update()",
    "DROP FUNCTION IF EXISTS crm_searchprefix_delete()",
    "DROP FUNCTION IF EXISTS crm_searchprefix_truncate()",
    "DROP TABLE IF EXISTS crm_searchprefix",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("crm", "0011_search_word_prefix_index")]

    operations = [
        migrations.CreateModel(
            name="SearchPrefix",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "entry_id",
                        "prefix",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("entry_id", models.BigIntegerField()),
                ("prefix", models.CharField(max_length=3)),
                ("kind", models.CharField(max_length=20)),
                ("owner_id", models.BigIntegerField()),
                ("object_id", models.BigIntegerField()),
                ("title_sort", models.CharField(max_length=200)),
            ],
            options={"db_table": "crm_searchprefix", "managed": False},
        ),
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD)),
    ]
