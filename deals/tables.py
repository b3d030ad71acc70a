import django_tables2 as tables

from contacts.tables import HIDDEN_COMPANY, HIDEABLE, DateColumn, RelatedColumn
from crm import inline
from deals.models import Deal


class DealTable(tables.Table):
    title = tables.Column(linkify=True, order_by=("title_normalized", "id"))
    company = RelatedColumn(hidden=HIDDEN_COMPANY)
    stage = tables.Column(orderable=False)
    amount = tables.Column(attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    expected_close = tables.Column()
    owner = tables.Column(orderable=False)
    updated_at = DateColumn(verbose_name="Updated")

    class Meta:
        model = Deal
        fields = ["title", "company", "stage", "amount", "expected_close", "owner", "updated_at"]
        attrs = {"class": "table"}
        sequence = HIDEABLE
        order_by = "-updated_at"

    # Amount and close date edit in place, on the rows this user may change (`is_editable`).
    def render_amount(self, value, record):
        return inline.cell(record, "amount")

    def render_expected_close(self, value, record):
        return inline.cell(record, "expected_close")
