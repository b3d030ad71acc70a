import django_tables2 as tables
from django.utils.html import format_html

from contacts.models import Activity, Company, Contact
from crm import formatting, inline
from crm.visibility import related_label, visible_flag_name

# Only indexed columns are sortable; the others say so with orderable=False.


class DateColumn(tables.Column):
    """A date (or a datetime's local day) as crm/formatting.py writes it: "6 Dec 2026"."""

    def render(self, value):
        return formatting.date(value)


class DateTimeColumn(tables.Column):
    """A moment in the organisation's time zone: "6 Dec 2026, 05:11"."""

    def render(self, value):
        return formatting.datetime(value)


class RelatedColumn(tables.Column):
    """A related record (a contact's company, an activity's deal), linked, if this user may see
    it; otherwise only a placeholder saying there is one. The rows must carry the flag of
    crm.visibility.with_related_flags (`company_visible`…): a row without it shows no label."""

    def __init__(self, *args, hidden: str, **kwargs):
        self.hidden = hidden
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)

    def render(self, value, record, bound_column):
        if getattr(record, visible_flag_name(bound_column.accessor.replace(".", "__")), False):
            return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value)
        return format_html('<span class="muted hidden-record">{}</span>', self.hidden)

    def value(self, value, record, bound_column):
        """In an export, a hidden record's cell is empty: the placeholder is no company name,
        and a file imported back must not create a company called so."""
        return related_label(record, bound_column.accessor.replace(".", "__"))


# The columns in the order `fields` declares them, without naming them again: a column someone
# hides (crm/fields.py list_columns) is then simply not there, where a sequence that names it
# would look for it.
HIDEABLE = ("...",)

HIDDEN_COMPANY = "a company you cannot see"
HIDDEN_DEAL = "a deal you cannot see"


class CompanyTable(tables.Table):
    name = tables.Column(linkify=True, order_by=("name_normalized", "id"))
    domain = tables.Column(orderable=True)
    city = tables.Column(orderable=False)
    owner = tables.Column(orderable=False)
    created_at = DateColumn(verbose_name="Added")

    class Meta:
        model = Company
        fields = ["name", "domain", "city", "owner", "created_at"]
        attrs = {"class": "table"}
        sequence = HIDEABLE


class ContactTable(tables.Table):
    name = tables.Column(accessor="full_name", linkify=True, order_by=("name_normalized", "id"))
    company = RelatedColumn(hidden=HIDDEN_COMPANY)
    email = tables.Column(order_by=("email_normalized", "id"))
    phone = tables.Column(orderable=False)
    owner = tables.Column(orderable=False)
    created_at = DateColumn(verbose_name="Added")

    class Meta:
        model = Contact
        fields = ["name", "company", "email", "phone", "owner", "created_at"]
        attrs = {"class": "table"}
        sequence = HIDEABLE

    # E-mail and phone edit in place, on the rows this user may change (`is_editable`).
    def render_email(self, value, record):
        return inline.cell(record, "email")

    def render_phone(self, value, record):
        return inline.cell(record, "phone")


class ActivityTable(tables.Table):
    occurs_at = DateTimeColumn(verbose_name="When")
    kind = tables.Column(orderable=False)
    subject = tables.Column(linkify=True, orderable=False)
    company = RelatedColumn(hidden=HIDDEN_COMPANY)
    deal = RelatedColumn(hidden=HIDDEN_DEAL)
    done = tables.Column(orderable=False, verbose_name="Status")
    owner = tables.Column(orderable=False)

    class Meta:
        model = Activity
        fields = ["occurs_at", "kind", "subject", "company", "deal", "done", "owner"]
        attrs = {"class": "table"}
        sequence = HIDEABLE
        order_by = "-occurs_at"

    def render_done(self, value, record):
        """Words, not ✔ / ✘: only a task is open or done; a call or note just happened."""
        if record.kind != Activity.Kind.TASK:
            return ""
        return "Done" if value else "Open"
