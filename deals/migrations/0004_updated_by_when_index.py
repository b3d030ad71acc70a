"""Who changed which records lately, as a range per person (the adoption report): by the
updated_by foreign key's own index SQLite read every record each person ever changed and
tested its date (a manager's adoption report on the large bench database: 105–190 ms for the
contacts alone; with this index under 1 ms for a quiet month, 20 ms for a busy one)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0012_updated_by_when_index'),
        ('deals', '0003_expected_close_in_range'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['updated_by', 'updated_at'], name='deals_deal_updated_6658b5_idx'),
        ),
    ]
