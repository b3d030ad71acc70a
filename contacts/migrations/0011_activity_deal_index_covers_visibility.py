"""The activities of deals, indexed for the stale deals report. It asks of every open deal in
scope "anything done lately?" and "anything planned?", each only of activities the viewer may
see (`owner_id IN (…)`, not deleted); with the owner outside the indexes, every match meant
reading an activity row.

- SQLite: "nothing done lately" and "nothing planned" are each a range of a partial index by
  (done, occurs_at) holding deal_id and owner_id, read once as a set (`NOT IN`), instead of a
  probe per deal (the admin's stale deals on the bench's large database: 80 → 38 ms of SQL);
  and a deal's last activity, which orders the report, comes from an index by (deal_id, done,
  occurs_at) that holds owner_id and deleted_at too (a manager's report: 100–120 → 44 ms).
- PostgreSQL hashes a range of 0010's partial (done, occurs_at, deal_id) index once; the same
  index with owner_id INCLUDEd replaces it, so that range is an index-only scan (9,500 open
  activities: 39 → 4 ms; the report's query 91–105 → 72–75 ms). Given SQLite's shape instead, it
  chose to walk all of it in deal order (a million entries, 50–80 ms), so each keeps its own.
"""

from django.db import migrations

SQLITE_INDEX = "activity_deal_done_when_visible"
SQLITE_RANGE_INDEX = "activity_done_when_deal"
POSTGRES_INDEX = "activity_deal_done_when_owner"
POSTGRES_0010_INDEX = "activity_deal_done_when"
DEALS_LIVE = "WHERE deleted_at IS NULL AND deal_id IS NOT NULL"

FORWARD = {
    "sqlite": [
        f"CREATE INDEX IF NOT EXISTS {SQLITE_INDEX} ON contacts_activity "
        "(deal_id, done, occurs_at, owner_id, deleted_at)",
        f"CREATE INDEX IF NOT EXISTS {SQLITE_RANGE_INDEX} ON contacts_activity "
        f"(done, occurs_at, deal_id, owner_id) {DEALS_LIVE}",
    ],
    "postgresql": [
        f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON contacts_activity "
        f"(done, occurs_at, deal_id) INCLUDE (owner_id) {DEALS_LIVE}",
        f"DROP INDEX IF EXISTS {POSTGRES_0010_INDEX}",
    ],
}
BACKWARD = {
    "sqlite": [
        f"DROP INDEX IF EXISTS {SQLITE_INDEX}",
        f"DROP INDEX IF EXISTS {SQLITE_RANGE_INDEX}",
    ],
    "postgresql": [
        f"CREATE INDEX IF NOT EXISTS {POSTGRES_0010_INDEX} ON contacts_activity "
        f"(done, occurs_at, deal_id) {DEALS_LIVE}",
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
