"""Who changed which deals lately, as a range per person: the adoption report (contacts 0012
says why, for companies and contacts)."""

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
