"""An index for "the history row of this deal just before that one" (what changed, slipped
deals, meetings): simple-history's own index is (history_date, id), the wrong way round for it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX deals_historicaldeal_deal_date "
            "ON deals_historicaldeal (id, history_date, history_id)",
            "DROP INDEX deals_historicaldeal_deal_date",
        )
    ]
