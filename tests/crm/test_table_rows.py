"""`{% table_rows %}` (crm/templatetags/huddle.py) shows each cell exactly as django-tables2's
own row iteration and `{{ cell }}` would: links, inline cells, placeholders, escaping."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from crm import visibility
from deals.models import Deal
from deals.tables import DealTable
from tests.factories import CompanyFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_table_rows_match_django_tables2_s_own_cells():
    owner = UserFactory(username="ana")
    company = CompanyFactory(name="Nord <Öl> & Gas", owner=owner)
    DealFactory(title="Rigs & <pumps>", company=company, owner=owner, amount=Decimal("1250.5"))
    DealFactory(title="No company", company=None, owner=owner, amount=0, expected_close=None)
    rows = visibility.with_editable_flag(Deal.objects.visible_to(owner), owner)
    rows = visibility.with_related_flags(rows, owner, "company")
    table = DealTable(rows.select_related("company", "stage", "owner").order_by("title"))
    table.request = RequestFactory().get("/deals/")

    ours = Template("{% load huddle %}{% table_rows table %}").render(Context({"table": table}))
    theirs = Template(
        "{% for row in table.paginated_rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>"
        "{% endfor %}</tr>{% endfor %}"
    ).render(Context({"table": table}))

    assert ours == theirs
    assert ours.count("<tr>") == 2
    assert "Rigs &amp; &lt;pumps&gt;" in ours and "<pumps>" not in ours
    assert "—" in ours  # the deal without a close date or company shows the placeholder
