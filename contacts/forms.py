import json
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy

from contacts import addresses, birthdays
from contacts.addresses import Addresses, Label
from contacts.models import Activity, Company, Contact
from crm import dates, pickers
from crm.converters import is_id
from crm.forms import OwnedModelForm


class CompanyForm(OwnedModelForm):
    primary_fields = ("name", "domain", "phone")
    # Quick add asks this as the company is typed (the full form's page passes its own).
    duplicates_url = format_lazy("{}?kind=company", reverse_lazy("contacts:duplicates"))
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Company
        fields = ["name", "domain", "website", "phone", "city", "country", "owner", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class AddressRows(forms.Widget):
    """A contact's other e-mails (or phones): one row per address, a label and a value, and a
    blank row to add one more. Posted as `emails-rows` (how many rows were shown) and
    `emails-<i>-label` / `emails-<i>-value`; "Add another" (htmx) asks for one more blank row
    (`add_row=emails`). Without JavaScript, the blank row adds one address per save."""

    template_name = "contacts/partials/address_rows.html"

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def value_from_datadict(self, data, files, name):
        if name in data:  # JSON put back by a stale edit's merge (crm/stale.py), or forged
            return addresses.entries(data.get(name))
        try:
            count = min(int(data.get(f"{name}-rows") or 0), addresses.MAX_OTHERS + 1)
        except ValueError:
            count = 0
        rows = [
            {
                "label": str(data.get(f"{name}-{i}-label") or ""),
                "value": str(data.get(f"{name}-{i}-value") or ""),
            }
            for i in range(max(count, 0))
        ]
        if data.get("add_row") == name and len(rows) <= addresses.MAX_OTHERS:
            rows.append({"label": Label.WORK, "value": "", "added": True})
        return rows

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}-rows" not in data

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value) if value else []
            except ValueError:
                value = []
        return [row for row in value or [] if isinstance(row, dict)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = list(context["widget"]["value"])
        if (not rows or str(rows[-1].get("value") or "").strip()) and len(rows) <= (
            addresses.MAX_OTHERS - 1
        ):
            rows.append({"label": Label.WORK, "value": ""})  # the blank row to add one more
        noun = addresses.KIND_NAMES[self.kind]
        context["widget"].update(
            rows=[
                {
                    **row,
                    "index": i,
                    "name": f"{addresses.ordinal(i + 2)} {noun}",
                    "label": row.get("label") or Label.WORK,
                }
                for i, row in enumerate(rows)
            ],
            labels=Label.choices,
            kind=self.kind,
            input_type="email" if self.kind == "email" else "tel",
            noun=noun,
            can_add=len(rows) <= addresses.MAX_OTHERS,
        )
        return context


class AddressesField(forms.Field):
    """The other e-mails or phones, cleaned to what the contact stores (contacts/addresses.py)."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        super().__init__(widget=AddressRows(kind), **kwargs)

    def to_python(self, value):
        return addresses.entries(value)

    def validate(self, value):
        pass  # see clean(): a blank list is fine, rows are checked together

    def clean(self, value):
        return addresses.clean_others(self.kind, self.to_python(value))

    def prepare_value(self, value):
        # Stored addresses travel as JSON (a stale edit's merge puts them back into the data);
        # rows posted a moment ago stay as posted, blank ones included.
        return json.dumps(list(value)) if isinstance(value, Addresses) else value

    def has_changed(self, initial, data):
        return addresses.entries(initial) != addresses.entries(data)


class AddressGroup(BoundField):
    """The primary e-mail (or phone) shown with its label and the contact's other addresses,
    as one group, as address books show them; in a form without them (quick add), alone."""

    def get_context(self):
        context = super().get_context()
        fields = self.form.fields
        for key, name in (("label_field", f"{self.name}_label"), ("others", f"{self.name}s")):
            context[key] = self.form[name] if name in fields else None
        return context


class _Primary:
    bound_field_class = AddressGroup

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("template_name", "contacts/partials/address_group.html")
        super().__init__(*args, **kwargs)


class PrimaryEmailField(_Primary, forms.EmailField):
    pass


class PrimaryPhoneField(_Primary, forms.CharField):
    pass


class ContactForm(OwnedModelForm):
    primary_fields = ("first_name", "last_name", "company", "email", "phone")
    duplicates_url = format_lazy("{}?kind=contact", reverse_lazy("contacts:duplicates"))
    # Shown inside their primary's group: field -> its primary.
    GROUPED = {"email_label": "email", "emails": "email", "phone_label": "phone", "phones": "phone"}

    emails = AddressesField(kind="email", label="Other e-mails")
    phones = AddressesField(kind="phone", label="Other phones")

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "company",
            "job_title",
            "email",
            "email_label",
            "emails",
            "phone",
            "phone_label",
            "phones",
            "birthday",
            "city",
            "owner",
            "notes",
        ]
        field_classes = {
            "email": PrimaryEmailField,
            "phone": PrimaryPhoneField,
            "birthday": birthdays.BirthdayField,
        }
        labels = {"email_label": "Label", "phone_label": "Label"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pickers.scale(self, "company")
        for kind in ("email", "phone"):
            if f"{kind}_label" in self.fields:
                label = self.fields[f"{kind}_label"]
                label.required = False  # a form posted without it keeps the label there is
                label.widget.attrs["aria-label"] = (
                    f"Label of the primary {addresses.KIND_NAMES[kind]}"
                )

    def clean_email_label(self):
        return self.cleaned_data.get("email_label") or self.instance.email_label or Label.WORK

    def clean_phone_label(self):
        return self.cleaned_data.get("phone_label") or self.instance.phone_label or Label.WORK

    def visible_fields(self):
        """The labels and other addresses render inside their primary's group (AddressGroup)."""
        grouped = {name for name, primary in self.GROUPED.items() if primary in self.fields}
        return [f for f in super().visible_fields() if f.name not in grouped]

    def clean(self):
        """No primary but others: the first of them becomes the primary, with its label."""
        cleaned = super().clean()
        for kind in ("email", "phone"):
            names = (kind, f"{kind}_label", f"{kind}s")
            if not all(name in self.fields for name in names) or cleaned.get(kind):
                continue
            others = cleaned.get(f"{kind}s") or []
            if others and kind not in self.errors:
                first, *rest = others
                cleaned[kind], cleaned[f"{kind}_label"] = first["value"], first["label"]
                cleaned[f"{kind}s"] = Addresses(rest)
        return cleaned

    def show_unchecked(self) -> None:
        """Show the posted form again (one more address row, see AddressRows) without checking
        it: a half-typed contact should not answer "Add another" with errors."""
        self._errors = ErrorDict()


class ContactsChoiceField(forms.ModelMultipleChoiceField):
    """A forged id the database cannot even compare (beyond 64 bits, "²") is an invalid choice
    like any other; Django would send it to the database in `pk IN (…)` and fail there."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if not is_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class ActivityForm(OwnedModelForm):
    primary_fields = ("kind", "subject", "occurs_at", "done", "deal")

    class Meta:
        model = Activity
        fields = [
            "kind",
            "subject",
            "occurs_at",
            "done",
            "contacts",
            "company",
            "deal",
            "owner",
            "body",
        ]
        field_classes = {"occurs_at": dates.DateTimeField, "contacts": ContactsChoiceField}
        widgets = {
            "occurs_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "body": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.initial.get("occurs_at"):
            self.initial["occurs_at"] = timezone.localtime().replace(second=0, microsecond=0)
        deal_field = self.fields["deal"]
        deal_field.queryset = deal_field.queryset.select_related("company")
        pickers.scale(self, "company", "deal", "contacts")


class LogActivityForm(OwnedModelForm):
    """The short form on a contact, company or deal page: kind, subject, Enter."""

    class Meta:
        model = Activity
        fields = ["kind", "subject", "body"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 2, "placeholder": "Notes (optional)"}),
        }


class NextStepForm(forms.Form):
    subject = forms.CharField(max_length=200)
    due = dates.DateField()


class QuickActivityForm(OwnedModelForm):
    """Quick add of one kind of activity; the kind comes as an initial value (the quick-add
    registration presets it), so the form asks only what that kind needs.

    Calls, e-mails and notes are logged after the fact: now, done, subject and Enter. A task or a
    meeting is still to come: it asks when (due, for a task), and starts at the next full hour.
    """

    LOGGED_NOW = (Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.NOTE)
    primary_fields = ("about", "subject", "occurs_at")
    field_order = ["about", "subject", "occurs_at", "body"]
    m2m_fields = ("contacts",)  # filled from `about` (see clean)
    # With whom: linked as the full form and a record's own log would link it (clean).
    about = pickers.RecordChoiceField(
        kinds=("contact", "company", "deal"), label="With whom", required=False
    )

    class Meta:
        model = Activity
        fields = ["subject", "occurs_at", "body"]
        field_classes = {"occurs_at": dates.DateTimeField}
        widgets = {
            "occurs_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "body": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        about = self.fields["about"]
        about.prepare(
            self.user, self.data.get(self.add_prefix("about")) or self.initial.get("about")
        )
        self.kind = self.initial.get("kind") or self.instance.kind
        if self.kind in self.LOGGED_NOW:
            del self.fields["occurs_at"]
            return
        when = self.fields["occurs_at"]
        when.label = "Due" if self.kind == Activity.Kind.TASK else "When"
        when.help_text = ""
        if not self.initial.get("occurs_at"):
            next_hour = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            self.initial["occurs_at"] = next_hour + timedelta(hours=1)

    def clean(self):
        cleaned = super().clean()
        self.instance.kind = self.kind
        self._link(cleaned.get("about"))
        if self.kind in self.LOGGED_NOW:
            now = timezone.now()
            self.instance.occurs_at, self.instance.done, self.instance.done_at = now, True, now
        return cleaned

    def _link(self, record) -> None:
        """A contact: them and their company; a deal: it, its company and its people; a
        company: it (contacts/views.py's contact_log, company_log, deals' deal_log)."""
        contacts = []
        kind = getattr(record, "policy_key", "")
        if kind == "contact":
            self.instance.company_id = record.company_id
            contacts = [record]
        elif kind == "company":
            self.instance.company = record
        elif kind == "deal":
            self.instance.deal = record
            self.instance.company_id = record.company_id
            contacts = list(record.contacts.all())
        self.cleaned_data["contacts"] = contacts


class DoneForm(forms.Form):
    """ "Done" / "Reopen" on a task: the state wanted and the version the user saw."""

    done = forms.TypedChoiceField(
        choices=[("true", "done"), ("false", "open")], coerce=lambda v: v == "true"
    )
    version = forms.IntegerField(
        min_value=1,
        max_value=2**31,
        error_messages={"required": "This click carries no version. Reload and try again."},
    )
