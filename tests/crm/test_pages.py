from django.core.management import call_command
from django.urls import reverse

from contacts.models import Activity
from deals.models import Deal
from tests.factories import StageFactory


def test_probe(client_for, north_records, org):
    c = client_for("ana")
    deal = north_records["deal"]
    won = StageFactory(pipeline=deal.pipeline, name="Won", order=5, is_won=True, probability=100)
    r = c.post(reverse("deals:edit", args=[deal.pk]), {"title": deal.title, "company": deal.company_id, "pipeline": deal.pipeline_id, "stage": won.pk, "amount": "5", "owner": org["ana"].pk})
    print(r.status_code)
    deal.refresh_from_db()
    print(deal.stage, deal.closed_at, deal.version)
    r = c.get(reverse("contacts:list") + "?owner=abc")
    b = r.content.decode()
    print(b[b.index("<tbody"):b.index("</tbody>")] if "<tbody" in b else b[b.index('id="results"'):][:1500])


def test_seed(db):
    call_command("seed_demo", "--today", "2026-11-02", "--contacts", "50", "--companies", "10", "--deals", "20", "--activities", "5")
    print(Activity.objects.count(), Deal.objects.count())
