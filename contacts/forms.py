from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy

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


class ContactForm(OwnedModelForm):
    primary_fields = ("first_name", "last_name", "company", "email", "phone")
    duplicates_url = format_lazy("{}?kind=contact", reverse_lazy("contacts:duplicates"))

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "company",
            "job_title",
            "email",
            "phone",
            "city",
            "owner",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pickers.scale(self, "company")


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
