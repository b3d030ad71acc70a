"""Settings → Fields: an admin adds, changes, archives and restores custom fields, in the app,
taking effect at once (crm/custom_fields.py); every change is kept in the settings history.

Rules that keep the data safe: a field's key and type are fixed once any record holds a value
for it; renaming a choice keeps the stored values (they hold the choice's value, not its label);
archiving hides a field everywhere and keeps its values, restoring brings them back.
"""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.apps import apps
from django.contrib import messages
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from crm import custom_sql, requirements, visibility
from crm.custom_fields import Spec, choices_of
from crm.models import CustomField, OwnedModel, SettingChange, User

MAX_CHOICES = 200
ROLE_CHOICES = User.Role.choices


SETTINGS_OF = "the organisation's fields"  # what the 403 says only an admin may change


def has_values(field: CustomField) -> bool:
    """Whether any record (deleted ones too) holds a value for the field (one query)."""
    return any(
        model.all_objects.filter(custom__has_key=field.key).exists()
        for model in apps.get_models()
        if issubclass(model, OwnedModel) and model.policy_key == field.model
    )


class CustomFieldForm(forms.ModelForm):
    """One custom field. Existing choices are renamed in place (a blank one is removed); new ones
    are added one per line."""

    add_choices = forms.CharField(
        label="Add choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )
    see_roles = forms.MultipleChoiceField(
        label="Who sees it",
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: everyone.",
    )
    needed_by = forms.MultipleChoiceField(
        label="Needed by reports",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="While such a report is on, forms ask for this field up front, and the "
        "report's completeness and fix list count it.",
    )
    edit_roles = forms.MultipleChoiceField(
        label="Who may change it",
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: everyone who sees it and may edit the record.",
    )

    class Meta:
        model = CustomField
        fields = [
            "model",
            "label",
            "key",
            "type",
            "required",
            "help_text",
            "order",
            "in_list",
            "filterable",
            "see_roles",
            "edit_roles",
            "needed_by",
        ]
        labels = {"model": "For", "in_list": "Shown in lists by default"}
        help_texts = {"key": "Left blank: made from the label. Fixed once a record has a value."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False
        self.fields["order"].required = False
        self.fields["needed_by"].choices = [
            (slug, info.title) for slug, info in requirements.reports.items() if info.requires
        ]
        self.existing = list(choices_of(self.instance.choices)) if self.instance.pk else []
        for index, choice in enumerate(self.existing):
            self.fields[f"choice_{index}"] = forms.CharField(
                label=f"Choice {index + 1}",
                initial=choice.label,
                required=False,
                max_length=80,
                help_text="Rename it here; records keep their value. Empty: removed.",
            )
        if self.instance.pk:
            self.fields["model"].disabled = True
            if has_values(self.instance):
                self.fields["key"].disabled = True
                self.fields["type"].disabled = True

    def clean_order(self):
        return self.cleaned_data.get("order") or 0

    def clean_key(self):
        if self.fields["key"].disabled:
            return self.instance.key
        key = slugify(self.cleaned_data.get("key") or self.data.get("label") or "")
        key = key.replace("-", "_")[:40]
        if not key:
            raise forms.ValidationError("Give the field a label or a key.")
        return key

    def clean(self):
        cleaned = super().clean()
        model, key = cleaned.get("model") or self.instance.model, cleaned.get("key")
        clash = CustomField.objects.filter(model=model, key=key).exclude(pk=self.instance.pk)
        if key and clash.exists():
            self.add_error("key", "Another field of these records already uses that key.")
        checks = _kinds_checked()
        for slug in cleaned.get("needed_by") or ():
            if model not in checks.get(slug, ()):
                title = requirements.reports[slug].title
                self.add_error("needed_by", f"{title} checks {_names(checks[slug])} only.")
        choices = []
        for index, choice in enumerate(self.existing):
            label = (cleaned.get(f"choice_{index}") or "").strip()
            if label:
                choices.append({"value": choice.value, "label": label})
        taken = {c["value"] for c in choices} | {c.value for c in self.existing}
        for line in (cleaned.get("add_choices") or "").splitlines():
            label = line.strip()[:80]
            if label and label not in taken:
                choices.append({"value": label, "label": label})
                taken.add(label)
        if cleaned.get("type") in ("choice", "multiple_choice") and not choices:
            self.add_error("add_choices", "A choice field needs at least one choice.")
        if len(choices) > MAX_CHOICES:
            self.add_error("add_choices", f"At most {MAX_CHOICES} choices.")
        self.instance.choices = choices
        return cleaned


def _kinds_checked() -> dict[str, set[str]]:
    """Report slug -> the kinds of record its completeness checks ("deal")."""
    kinds = {m._meta.label: m.policy_key for m in apps.get_models() if issubclass(m, OwnedModel)}
    return {
        slug: {kinds[label] for label in info.requires if label in kinds}
        for slug, info in requirements.reports.items()
    }


def _names(kinds) -> str:
    plural = dict(CustomField.Model.choices)
    return ", ".join(sorted(str(plural.get(k, k)).lower() for k in kinds))


def _snapshot(field: CustomField) -> dict:
    data = model_to_dict(field, exclude=["id"])
    return {k: v for k, v in data.items() if k != "created_at"}


def _record(request, field: CustomField, action: str, before: dict) -> None:
    SettingChange.objects.create(
        by=request.user,
        area="custom field",
        subject=str(field),
        action=action,
        before=before,
        after=_snapshot(field),
    )


def fields_page(request):
    visibility.require_admin(request.user, SETTINGS_OF)
    rows = CustomField.objects.all()
    return render(
        request,
        "crm/settings_fields.html",
        {"title": "Fields", "rows": rows, "models": CustomField.Model.choices},
    )


@transaction.atomic
def field_create(request):
    visibility.require_admin(request.user, SETTINGS_OF)
    initial = {"model": request.GET.get("model")} if request.GET.get("model") else None
    form = CustomFieldForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        field = form.save()
        custom_sql.sync(Spec.of(field))
        _record(request, field, "added", {})
        messages.success(request, f"Added the field “{field.label}”.")
        return redirect("settings-fields")
    return render(
        request,
        "crm/settings_form.html",
        {"form": form, "title": "New field", "back": reverse("settings-fields")},
    )


@transaction.atomic
def field_edit(request, pk):
    visibility.require_admin(request.user, SETTINGS_OF)
    field = get_object_or_404(CustomField.objects.select_for_update(), pk=pk)
    before = _snapshot(field)
    form = CustomFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        old_key, old_type = before["key"], before["type"]
        field = form.save()
        if (old_key, old_type) != (field.key, field.type):
            # Allowed only while no record has a value: drop the index built for the old key
            # or type (CREATE INDEX IF NOT EXISTS would keep it as it was).
            custom_sql.sync(replace(Spec.of(field), key=old_key, type=old_type, archived=True))
        custom_sql.sync(Spec.of(field))
        _record(request, field, "changed", before)
        messages.success(request, f"Saved the field “{field.label}”.")
        return redirect("settings-fields")
    return render(
        request,
        "crm/settings_form.html",
        {"form": form, "title": f"Field: {field.label}", "back": reverse("settings-fields")},
    )


@require_POST
@transaction.atomic
def field_archive(request, pk):
    """Archive (hide everywhere, keep the values) or restore a field."""
    visibility.require_admin(request.user, SETTINGS_OF)
    field = get_object_or_404(CustomField.objects.select_for_update(), pk=pk)
    archive = request.POST.get("archived") == "1"
    if archive == field.archived:
        raise Http404("The field is already so.")
    before = _snapshot(field)
    field.archived = archive
    field.save()
    custom_sql.sync(Spec.of(field))  # archived: no index; restored: indexed again
    _record(request, field, "archived" if archive else "restored", before)
    verb = "Archived" if archive else "Restored"
    messages.success(request, f"{verb} the field “{field.label}”; its values are kept.")
    return redirect("settings-fields")


def history_page(request):
    """Every change made in Settings: who, when, what, before and after (newest first)."""
    visibility.require_admin(request.user, SETTINGS_OF)
    changes = SettingChange.objects.select_related("by")[:200]
    return render(
        request,
        "crm/settings_history.html",
        {"title": "Settings history", "changes": [_readable(c) for c in changes]},
    )


def _readable(change: SettingChange) -> dict:
    keys = sorted(set(change.before) | set(change.after))
    differences = [
        {
            "name": key.replace("_", " "),
            "before": _plain(change.before.get(key)),
            "after": _plain(change.after.get(key)),
        }
        for key in keys
        if change.before.get(key) != change.after.get(key)
    ]
    return {"change": change, "differences": differences}


def _plain(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v.get("label", v) if isinstance(v, dict) else v) for v in value)
    return str(value)
