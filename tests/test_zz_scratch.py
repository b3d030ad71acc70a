import io, json
from datetime import date
from decimal import Decimal
from django.core.management import call_command
from django.urls import reverse

def test_scratch(client_for, north_records, org):
    d = north_records["deal"]
    d.expected_close = date(2030, 1, 31); d.amount = Decimal("12345.67"); d.save()
    c = client_for("maria")
    for url in [reverse("inline-edit", args=["deals.Deal", d.pk, "expected_close"]),
                reverse("inline-edit", args=["deals.Deal", d.pk, "expected_close"]) + "?edit=1",
                reverse("reports:detail", args=["forecast"]),
                reverse("reports:section", args=["pipeline"]),
                reverse("reports:export", args=["pipeline", "csv"]),
                reverse("reports:export", args=["forecast", "csv"]) + "?drill=1&col=count",
                reverse("reports:drill", args=["forecast"]) + "?col=count&team=999",
                ]:
        r = c.get(url)
        print("=====", url, r.status_code, dict(r.headers))
        body = r.content.decode()
        print(body[body.find("<main"):][:3000] if "<main" in body else body[:3000])
    buf = io.StringIO()
    call_command("report", "forecast", "--user", "maria", stdout=buf)
    print(buf.getvalue())
    r = c.post(reverse("inline-edit", args=["deals.Deal", d.pk, "expected_close"]), {"version": d.version, "original": "2030-01-31", "expected_close": "2030-02-28"}, headers={"HX-Request": "true"})
    print(r.status_code, dict(r.headers), r.content.decode())
    assert 0
