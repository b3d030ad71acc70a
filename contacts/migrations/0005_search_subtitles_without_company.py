"""Search entries no longer store a related company's name in their subtitle.

A contact's or deal's hit names its company only for searchers who may see that company
(crm/search.py looks the name up per search). Entries written before stored it: rewrite them as
contacts/search.py and deals/search.py now write them (a contact: e-mail · phone; a deal: nothing).
"""

from django.db import migrations
from django.db.models import Case, CharField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat


def forward(apps, schema_editor):
    SearchEntry = apps.get_model("crm", "SearchEntry")
    Contact = apps.get_model("contacts", "Contact")
    has_email, has_phone = ~Q(email=""), ~Q(phone="")
    own = Contact.objects.filter(pk=OuterRef("object_id")).annotate(
        own=Case(
            When(has_email & has_phone, then=Concat("email", Value(" · "), "phone")),
            When(has_email, then="email"),
            When(has_phone, then="phone"),
            default=Value(""),
            output_field=CharField(),
        )
    )
    SearchEntry.objects.filter(kind="contact").update(
        subtitle=Coalesce(Subquery(own.values("own")[:1]), Value(""))
    )
    SearchEntry.objects.filter(kind="deal").update(subtitle="")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0004_activity_dates_in_range"),
        ("crm", "0002_search_index"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
