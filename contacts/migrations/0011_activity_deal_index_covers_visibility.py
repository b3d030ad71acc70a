"""The activities of deals, indexed so that the stale deals report's probes read no activity
rows: each probe asks not only "anything done lately?" or "anything planned?" of a deal but also
whether that activity is visible to the viewer (`owner_id IN (…)`, not deleted), and with the
owner outside the index every match meant reading its row.

- SQLite probes deal by deal: an index by (deal_id, done, occurs_at) that holds owner_id and
  deleted_at too. A manager's stale deals on the bench's large database: 100–120 → 44 ms of SQL.
- PostgreSQL hashes a range of 0010's partial (done, occurs_at, deal_id) index once; the same
  index with owner_id INCLUDEd replaces it, so that range is an index-only scan (9,500 open
  activities: 39 → 4 ms; the report's query 91–105 → 72–75 ms). Given SQLite's shape instead, it
  chose to walk all of it in deal order (a million entries, 50–80 ms), so each keeps its own.
"""

from django.db import migrations

SQLITE_INDEX = "activity_deal_done_when_visible"
POSTGRES_INDEX = "activity_deal_done_when_owner"
POSTGRES_0010_INDEX = "activity_deal_done_when"
POSTGRES_WHERE = "WHERE deleted_at IS NULL AND deal_id IS NOT NULL"

FORWARD = {
    "sqlite": [
        f"CREATE INDEX IF NOT EXISTS {SQLITE_INDEX} ON contacts_activity "
        "(deal_id, done, occurs_at, owner_id, deleted_at)"
    ],
    "postgresql": [
        f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON contacts_activity "
        f"(done, occurs_at, deal_id) INCLUDE (owner_id) {POSTGRES_WHERE}",
        f"DROP INDEX IF EXISTS {POSTGRES_0010_INDEX}",
    ],
}
BACKWARD = {
    "sqlite": [f"DROP INDEX IF EXISTS {SQLITE_INDEX}"],
    "postgresql": [
        f"CREATE INDEX IF NOT EXISTS {POSTGRES_0010_INDEX} ON contacts_activity "
        f"(done, occurs_at, deal_id) {POSTGRES_WHERE}",
        f"DROP INDEX IF EXISTS {POSTGRES_INDEX}",
    ],
}


def run(statements):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("contacts", "0010_activity_done_when_deal_index")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
