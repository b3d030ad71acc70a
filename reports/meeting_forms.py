"""Forms of meeting mode: an agenda and its sections, an action item, the notes.

Choices are scoped to the user (STYLE 9): teams they manage, reports they may open, people they
may assign to; a forged id is an invalid choice like any other.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone

from crm import dates, visibility
from crm.models import Team
from reports import registry
from reports.models import Agenda, AgendaSection
from reports.params import ParamsForm


def managed_teams(user):
    """Teams an agenda may belong to: the ones this user manages; every team for an admin."""
    return Team.objects.all() if user.is_admin else Team.objects.filter(managers=user)


class AgendaForm(forms.ModelForm):
    class Meta:
        model = Agenda
        fields = ["title", "team"]
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": "Weekly pipeline review, team North"})
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = managed_teams(user)
        self.fields["team"].empty_label = "No team (only I and the admins see it)"
        if self.instance.pk:  # no lost edits: the version this agenda was opened at
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version, required=False
            )

    def clean(self):
        """An agenda is saved whole (its sections with it): saved over someone else's newer
        version, it stops once and says so; saving again replaces theirs on purpose."""
        cleaned = super().clean()
        if "version" in self.fields and cleaned.get("version") != self.instance.version:
            data = self.data.copy()
            data["version"] = self.instance.version
            self.data = data
            raise forms.ValidationError(
                "Someone changed this agenda after you opened it. Save again to replace "
                "their changes with yours, or reload to see them."
            )
        return cleaned


class SectionForm(forms.ModelForm):
    report_slug = forms.ChoiceField(label="Report")

    class Meta:
        model = AgendaSection
        fields = ["report_slug", "query", "walk_through"]
        widgets = {"query": forms.TextInput(attrs={"placeholder": "team=1&pipeline=2"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["report_slug"].choices = [("", "—")] + [
            (r.slug, r.title) for r in registry.for_user(user)
        ]
        # One row of a table per section: the column heads are the visible labels.
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label or name))

    def clean_query(self):
        """Filters as typed, or pasted with the report's address: only what follows the "?"."""
        query = self.cleaned_data["query"].strip()
        return query.split("?", 1)[1] if "?" in query else query

    def clean(self):
        cleaned = super().clean()
        report = registry.get(cleaned.get("report_slug") or "")
        if report is None:
            return cleaned
        query = QueryDict(cleaned.get("query") or "")
        params = ParamsForm(query, report=report, user=self.user)
        unknown = sorted(set(query) - set(params.fields))
        if unknown:
            takes = ", ".join(params.fields) or "no filters"
            self.add_error(
                "query", f"{report.title} has no filter {', '.join(unknown)}; it takes {takes}."
            )
        elif not params.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in params.errors.items())
            self.add_error("query", f"These filters are not valid: {errors}")
        if cleaned.get("walk_through") and "owner" not in report.filters:
            self.add_error("walk_through", f"{report.title} cannot be filtered by rep.")
        return cleaned


class BaseSectionFormSet(forms.BaseInlineFormSet):
    team = None  # the agenda's team, set by the view once the agenda form is valid

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, label in (("ORDER", "Order"), ("DELETE", "Remove")):
            if name in form.fields:
                form.fields[name].widget.attrs["aria-label"] = label

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", {})
            if (
                data.get("walk_through")
                and not self.team
                and "team" not in QueryDict(data.get("query") or "")
            ):
                form.add_error(
                    "walk_through",
                    "Give the agenda a team, or this section a team filter, to walk through its reps.",
                )


SectionFormSet = forms.inlineformset_factory(
    Agenda,
    AgendaSection,
    form=SectionForm,
    formset=BaseSectionFormSet,
    fields=["report_slug", "query", "walk_through"],
    extra=2,
    can_delete=True,
    can_order=True,
)


def screen_query(report, raw: str) -> str:
    """Only the report's own filters, as chosen on screen: a period rather than the dates it
    stands for today, so a weekly agenda keeps showing "this week"."""
    if report is None:
        return ""
    query = QueryDict(raw or "")
    takes = set(report.filters) | ({"start", "end"} if "period" in report.filters else set())
    kept = {k: query[k] for k in query if k in takes and query[k]}
    if kept.get("period"):
        kept.pop("start", None)
        kept.pop("end", None)
    return urlencode(kept)


class AddToMeetingForm(forms.Form):
    """A report with the filters on screen, for an agenda this user may change or a new one."""

    report = forms.CharField(widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    agenda = forms.ModelChoiceField(
        queryset=Agenda.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        label="Add it to",
        empty_label=None,
    )
    title = forms.CharField(
        required=False,
        max_length=200,
        label="Or to a new agenda, named",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Monday pipeline review"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agenda"].queryset = (
            Agenda.objects.editable_by(user).select_related("team").order_by("title", "pk")
        )

    def clean_query(self):
        return screen_query(registry.get(self.data.get("report", "")), self.cleaned_data["query"])

    def clean(self):
        cleaned = super().clean()
        section = SectionForm(
            {"report_slug": cleaned.get("report", ""), "query": cleaned.get("query", "")},
            user=self.user,
        )
        if not section.is_valid():
            for errors in section.errors.values():
                for error in errors:
                    self.add_error(None, error)
        agenda, title = cleaned.get("agenda"), (cleaned.get("title") or "").strip()
        if agenda is None and not title:
            self.add_error("agenda", "Choose an agenda, or name a new one.")
        elif agenda is not None and title:
            self.add_error("title", "Choose an agenda or name a new one, not both.")
        cleaned["title"] = title
        return cleaned


class ActionItemForm(forms.Form):
    text = forms.CharField(
        label="Action item",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "What, for whom, by when? Enter saves"}),
    )
    assignee = forms.ModelChoiceField(queryset=None, label="For", empty_label="Choose who")
    due = dates.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = visibility.assignable_owners(user).order_by(
            "first_name", "username"
        )
        self.fields["due"].initial = timezone.localdate() + timedelta(days=7)

    def clean_text(self):
        return self.cleaned_data["text"].strip()


class NotesForm(forms.Form):
    """Notes as typed, with the version and text they were typed over (no lost edits)."""

    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    version = forms.IntegerField(
        min_value=1,
        max_value=2**31,
        widget=forms.HiddenInput,
        error_messages={"required": "These notes carry no version. Reload and try again."},
    )
    base = forms.CharField(required=False, widget=forms.HiddenInput)
    # "Keep mine" after a conflict: the version whose notes the user chose to replace.
    keep_mine = forms.IntegerField(required=False, min_value=1, max_value=2**31)
