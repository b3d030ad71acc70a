"""Reading report filters from a request or the command line, within what the user may see."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from crm import custom_fields, dates
from crm.models import Team
from deals.models import Pipeline
from reports import grouping
from reports.base import Params, Report

PERIODS = {
    "this-week": "This week",
    "last-week": "Last week",
    "this-month": "This month",
    "last-month": "Last month",
    "last-90-days": "Last 90 days",
    "this-quarter": "This quarter",
}


def teams_for(user):
    """Teams a user may filter by: their own, the ones they manage; every team for an admin."""
    if user.is_admin:
        return Team.objects.all()
    return Team.objects.filter(Q(pk=user.team_id) | Q(managers=user)).distinct()


def owners_for(user):
    """People a user may filter by: those whose records they can see at all."""
    users = get_user_model().objects.filter(is_active=True)
    if user.is_admin:
        return users
    return users.filter(
        Q(pk=user.pk) | Q(team_id=user.team_id, team__isnull=False) | Q(team__managers=user)
    ).distinct()


def period_bounds(name: str, today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    if name == "this-week":
        return monday, monday + timedelta(days=6)
    if name == "last-week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if name == "this-month":
        next_first = (first + timedelta(days=32)).replace(day=1)
        return first, next_first - timedelta(days=1)
    if name == "last-month":
        last_day = first - timedelta(days=1)
        return last_day.replace(day=1), last_day
    if name == "this-quarter":
        q_first = first.replace(month=3 * ((today.month - 1) // 3) + 1)
        q_next = (q_first + timedelta(days=95)).replace(day=1)
        return q_first, q_next - timedelta(days=1)
    return today - timedelta(days=89), today


CUSTOM_FILTER_TYPES = ("choice", "yes_no")


class ParamsForm(forms.Form):
    """The filters of one report. Unknown or foreign values are errors, never widened scopes."""

    period = forms.ChoiceField(choices=[("", "Custom")] + list(PERIODS.items()), required=False)
    start = dates.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = dates.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All my teams"
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, empty_label="Everyone"
    )
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.all(), required=False, empty_label="All pipelines"
    )
    since = dates.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(required=False, min_value=1, max_value=3650)

    def __init__(self, data, *, report: Report, user):
        super().__init__(data)
        self.report = report
        self.fields["team"].queryset = teams_for(user)
        self.fields["owner"].queryset = owners_for(user)
        wanted = set(report.filters)
        if "period" in wanted:
            wanted |= {"start", "end"}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.custom_specs = self._add_custom_filters(report, user)
        self.group_specs = self._add_grouping(report, user)
        self.data = self._with_defaults(self.data)

    def _add_custom_filters(self, report: Report, user) -> list:
        """The admin's filterable choice and yes/no fields of the records the report counts
        (deals, for the reports filtered by pipeline), as the user's role sees them."""
        kind = "deal" if "pipeline" in report.filters else ""
        specs = [
            s
            for s in (custom_fields.seen_by(kind, user) if kind else [])
            if s.filterable and s.type in CUSTOM_FILTER_TYPES
        ]
        for spec in specs:
            options = (
                [(c.value, c.label) for c in spec.choices]
                if spec.type == "choice"
                else [("true", "Yes"), ("false", "No")]
            )
            self.fields[spec.name] = forms.ChoiceField(
                label=spec.label, choices=[("", "Any")] + options, required=False
            )
        return specs

    def _add_grouping(self, report: Report, user) -> dict:
        """ "Group by": the report's own rows, or one of the admin's choice, yes/no or user
        fields of the records it counts that the user's role sees (reports/grouping.py). A
        field the role does not see is no choice: asked for, it is an error like any other."""
        if not report.group_by_kind:
            return {}
        specs = {s.name: s for s in grouping.fields_for(report.group_by_kind, user)}
        if specs:
            self.fields["group"] = forms.ChoiceField(
                label="Group by",
                choices=[("", report.group_by_label)] + [(n, s.label) for n, s in specs.items()],
                required=False,
            )
        return specs

    def _with_defaults(self, data):
        """Show the dates and days a report runs on when none were chosen (the same values
        params() would fall back to), so the filters say what the figures cover."""
        if data.get("period"):
            return data
        defaults = self.report.default_params()
        missing = {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value)
            for name in ("start", "end", "since", "days")
            if name in self.fields
            and not data.get(name)
            and (value := getattr(defaults, name)) is not None
        }
        if not missing:
            return data
        data = data.copy()
        for name, value in missing.items():
            data[name] = value
        return data

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The period ends before it starts.")
        return cleaned

    def params(self) -> Params:
        params = self.report.default_params()
        data = self.cleaned_data
        if data.get("period"):
            params.start, params.end = period_bounds(data["period"], timezone.localdate())
        if data.get("start"):
            params.start = data["start"]
        if data.get("end"):
            params.end = data["end"]
        params.team = data.get("team")
        params.owner = data.get("owner")
        params.pipeline = data.get("pipeline")
        params.since = data.get("since") or params.since
        params.days = data.get("days") or params.days
        for spec in self.custom_specs:
            value = data.get(spec.name)
            if value:
                params.custom[spec] = value == "true" if spec.type == "yes_no" else value
        params.group_by = self.group_specs.get(data.get("group") or "")
        return params
