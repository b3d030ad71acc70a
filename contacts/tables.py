import django_tables2 as tables

from contacts.models import Activity, Company, Contact
from crm import inline

# Only indexed columns are sortable; the others say so with orderable=False.


class CompanyTable(tables.Table):
    name = tables.Column(linkify=True, order_by=("name_normalized", "id"))
    domain = tables.Column(orderable=True)
    city = tables.Column(orderable=False)
    owner = tables.Column(orderable=False)
    created_at = tables.DateColumn(verbose_name="Added", format="j M Y")

    class Meta:
        model = Company
        fields = ["name", "domain", "city", "owner", "created_at"]
        attrs = {"class": "table"}


class ContactTable(tables.Table):
    name = tables.Column(accessor="full_name", linkify=True, order_by=("name_normalized", "id"))
    company = tables.Column(
        linkify=True, order_by=("company__name_normalized", "id"), orderable=False
    )
    email = tables.Column(order_by=("email_normalized", "id"))
    phone = tables.Column(orderable=False)
    owner = tables.Column(orderable=False)
    created_at = tables.DateColumn(verbose_name="Added", format="j M Y")

    class Meta:
        model = Contact
        fields = ["name", "company", "email", "phone", "owner", "created_at"]
        attrs = {"class": "table"}

    # E-mail and phone edit in place, on the rows this user may change (`is_editable`).
    def render_email(self, value, record):
        return inline.cell(record, "email")

    def render_phone(self, value, record):
        return inline.cell(record, "phone")


class ActivityTable(tables.Table):
    occurs_at = tables.DateTimeColumn(verbose_name="When", format="D j M Y, H:i")
    kind = tables.Column(orderable=False)
    subject = tables.Column(linkify=True, orderable=False)
    company = tables.Column(linkify=True, orderable=False)
    deal = tables.Column(linkify=True, orderable=False)
    done = tables.BooleanColumn(orderable=False)
    owner = tables.Column(orderable=False)

    class Meta:
        model = Activity
        fields = ["occurs_at", "kind", "subject", "company", "deal", "done", "owner"]
        attrs = {"class": "table"}
        order_by = "-occurs_at"
