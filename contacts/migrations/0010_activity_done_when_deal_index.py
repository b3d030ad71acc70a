"""PostgreSQL: the activities of deals by (done, occurs_at), for the deal reports' "no done
activity since …" and "no open activity from today" conditions (stale deals). As a range of
this index both become index-only scans of a few thousand entries that PostgreSQL hashes once;
with the (deal_id, done, occurs_at) index alone it walked the whole index for each. SQLite
already answers them per deal from that index, so it gets no second one to keep up."""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS activity_deal_done_when ON contacts_activity "
    "(done, occurs_at, deal_id) WHERE deleted_at IS NULL AND deal_id IS NOT NULL"
)
BACKWARD = "DROP INDEX IF EXISTS activity_deal_done_when"


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("contacts", "0009_backfill_contact_handles")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
