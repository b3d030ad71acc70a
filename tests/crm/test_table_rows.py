"""`{% table_rows %}` (crm/templatetags/huddle.py, cells from crm/tables.py's column plans)
shows each cell exactly as django-tables2's own row iteration and `{{ cell }}` would: links,
inline cells, choice labels, related records hidden or shown, custom fields, placeholders and
escaping — for every list table, with the columns its page shows."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from crm import fields, visibility
from crm.models import CustomField
from crm.registry import list_exports
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OURS = "{% load huddle %}{% table_rows table %}"
THEIRS = (
    "{% for row in table.paginated_rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>"
    "{% endfor %}</tr>{% endfor %}"
)
KINDS = {"contacts": "contact", "companies": "company", "deals": "deal", "activities": "activity"}


@pytest.fixture
def records():
    """Two teams' records: ana's, linked to a company she may and one she may not see."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    ana = UserFactory(username="ana", team=north)
    carla = UserFactory(username="carla", team=south)
    mine = CompanyFactory(name="Nord <Öl> & Gas", owner=ana, city="")
    theirs = CompanyFactory(name="Süd AG", owner=carla)
    for kind, types in {
        "contact": ("choice", "number", "date", "yes_no", "multiple_choice"),
        "company": ("choice", "money"),
        "deal": ("number", "date", "url"),
        "activity": ("text", "yes_no"),
    }.items():
        for type_ in types:
            CustomField.objects.create(
                model=kind,
                key=f"f_{type_}",
                label=f"F {type_}",
                type=type_,
                choices=["North Sea", "Baltic <b>"] if "choice" in type_ else [],
                in_list=True,
            )
    custom = {
        "f_choice": "Baltic <b>",
        "f_number": 12,
        "f_date": "2026-03-01",
        "f_yes_no": True,
        "f_multiple_choice": ["North Sea", "Baltic <b>"],
        "f_money": "1250.50",
        "f_url": "https://example.com/?a=1&b=<2>",
        "f_text": "Rigs & <pumps>",
    }
    CompanyFactory(name="Drei", owner=ana, custom=custom)
    CompanyFactory(name="Vier", owner=ana, domain="")
    ContactFactory(first_name="Ann <i>", company=mine, owner=ana, custom=custom, phone="")
    ContactFactory(first_name="Bo", company=theirs, owner=ana, email="")
    ContactFactory(first_name="Cy", company=None, owner=ana)
    deal = DealFactory(title="Rigs & <pumps>", company=mine, owner=ana, custom=custom)
    DealFactory(title="Theirs", company=theirs, owner=ana, amount=Decimal("1250.5"))
    DealFactory(title="No company", company=None, owner=ana, amount=0, expected_close=None)
    now = timezone.now()
    ActivityFactory(kind="task", subject="Call <back>", owner=ana, deal=deal, done=False)
    ActivityFactory(
        kind="call", subject="", owner=ana, company=theirs, occurs_at=now, custom=custom
    )
    ActivityFactory(kind="task", subject="Sent", owner=ana, done=True)
    return ana


@pytest.mark.parametrize("name", sorted(KINDS))
def test_table_rows_match_django_tables2_s_own_cells(records, name):
    ana = records
    entry = list_exports[name]
    request = RequestFactory().get("/")
    request.user = ana
    request.session = {}
    rows = visibility.with_editable_flag(entry.records(ana), ana).order_by("pk")
    extra_columns, _ = fields.list_columns(request, KINDS[name], ana)
    table = entry.table_class(rows, extra_columns=extra_columns)
    table.request = request

    ours = Template(OURS).render(Context({"table": table}))
    theirs = Template(THEIRS).render(Context({"table": table}))

    assert ours == theirs
    assert ours.count("<tr>") == 3
    assert any(column.name.startswith("custom_") for column in table.columns)
    assert "<pumps>" not in ours and "<b>" not in ours and "<i>" not in ours  # all escaped
    assert "—" in ours  # an empty value shows the placeholder
