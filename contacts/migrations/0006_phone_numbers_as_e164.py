"""Phone numbers are stored normalised as E.164 digits in the organisation's region
(crm/phones.py), no longer as the digits typed: recompute every contact's and company's
`phone_normalized`, and the phone part of their search terms, so "0175 69827971" and
"+49 175 69827971" find and duplicate each other on existing rows too."""

from django.db import migrations

from crm.phones import e164_digits

BATCH = 1000


def _suffixes(digits):
    # crm.search.phone_suffixes as it stands: a migration keeps its own copy.
    return " ".join(digits[i:] for i in range(0, max(len(digits) - 3, 0)))


def _recompute(apps, model_name, kind):
    Model = apps.get_model("contacts", model_name)
    SearchEntry = apps.get_model("crm", "SearchEntry")
    rows = Model.objects.exclude(phone="").only("pk", "phone", "phone_normalized").order_by("pk")
    changed = []
    for row in rows.iterator(chunk_size=BATCH):
        new = e164_digits(row.phone)
        if new != row.phone_normalized:
            changed.append((row.pk, row.phone_normalized, new))
    for start in range(0, len(changed), BATCH):
        chunk = changed[start : start + BATCH]
        Model.objects.bulk_update(
            [Model(pk=pk, phone_normalized=new) for pk, _, new in chunk], ["phone_normalized"]
        )
        old_by_pk = {pk: (old, new) for pk, old, new in chunk}
        entries = list(SearchEntry.objects.filter(kind=kind, object_id__in=old_by_pk))
        for entry in entries:
            old, new = old_by_pk[entry.object_id]
            old_terms = _suffixes(old)
            if old_terms and old_terms in entry.terms:
                entry.terms = entry.terms.replace(old_terms, _suffixes(new), 1)
            else:
                entry.terms = " ".join(x for x in (entry.terms, _suffixes(new)) if x)
        SearchEntry.objects.bulk_update(entries, ["terms"])


def forward(apps, schema_editor):
    _recompute(apps, "Contact", "contact")
    _recompute(apps, "Company", "company")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_search_subtitles_without_company"),
        ("crm", "0002_search_index"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
