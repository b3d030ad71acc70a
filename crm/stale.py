"""No lost edits: how an edit made against an older version of a record is merged.

Every edit form carries two hidden fields: the `version` it was made against and its `base`, the
values the user started from (one canonical string per field). Saved over a newer version, the
form merges field by field against that base: a field only the other person changed keeps their
value, a field only this user changed takes theirs, a field both changed to different values is a
conflict shown beside the other person's value. The base travels with the form, so the merge
works on every record — seeded, imported, or changed through Django admin — without relying on a
history row for the version the user saw.

The check only decides what to write; the write itself is conditional on the version the record
was read at (crm.models.VersionedModel), so two saves from one version can never both win.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django import forms

from crm import formatting


def canon(value) -> str:
    """One string per value, equal exactly when the values are: how base, mine and theirs compare."""
    value = getattr(value, "pk", value)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        # To the minute, as the forms show it: a stored 10:00:41.5 is what the form posts as 10:00.
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.replace(second=0, microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value.is_finite() else str(value)
    return str(value)


def model_field_names(form: forms.ModelForm) -> list[str]:
    """The form's fields that hold the record's values: its columns and its custom fields."""
    names = {f.name for f in form.instance._meta.concrete_fields}
    return [
        n
        for n in form.fields
        if (n in names or _spec(form, n) is not None) and n not in ("version", "base")
    ]


def _spec(form, name):
    return getattr(form.fields[name], "custom_spec", None)


def stored_value(form, instance, name):
    """The record's value behind form field `name`: a column, or a custom field's JSON value."""
    spec = _spec(form, name)
    if spec is not None:
        return (instance.custom or {}).get(spec.key)
    return getattr(instance, instance._meta.get_field(name).attname)


def _posted(form, name):
    """What the user posted for field `name`, comparable with `stored_value`."""
    spec = _spec(form, name)
    value = form.cleaned_data.get(name)
    return spec.to_json(value) if spec is not None else value


def base_of(form: forms.ModelForm) -> str:
    """The values the user starts editing from, as the hidden `base` field carries them."""
    instance = form.instance
    return json.dumps(
        {name: canon(stored_value(form, instance, name)) for name in model_field_names(form)},
        separators=(",", ":"),
    )


def add_version_fields(form: forms.ModelForm) -> None:
    """Give an edit form of a versioned record its hidden `version` and `base`."""
    form.fields["version"] = forms.IntegerField(
        widget=forms.HiddenInput, initial=form.instance.version, required=False
    )
    form.fields["base"] = forms.CharField(
        widget=forms.HiddenInput, initial=base_of(form), required=False
    )


class StaleEdit:
    """The merge of one posted edit form with the record as it is now (see the module doc)."""

    def __init__(self, form: forms.ModelForm):
        self.form = form
        self.instance = form.instance

    def check(self) -> None:
        form, instance = self.form, self.instance
        posted = form.cleaned_data.get("version")
        if posted is None:
            raise forms.ValidationError(
                "This form carries no version. Reload the page and try again."
            )
        if posted == instance.version:
            return
        base = self._base(posted)
        conflicts, merged = [], []
        for name in model_field_names(form):
            mine = canon(_posted(form, name))
            current = canon(stored_value(form, instance, name))
            original = base.get(name)
            mine_changed = original is None or mine != original
            theirs_changed = original is None or current != original
            if mine_changed and theirs_changed and mine != current:
                conflicts.append(name)
            elif theirs_changed and not mine_changed:  # keep their newer value
                spec = _spec(form, name)
                form.cleaned_data[name] = (
                    spec.initial(stored_value(form, instance, name))
                    if spec is not None
                    else getattr(instance, name)
                )
                merged.append(name)
        if conflicts:
            self._show_conflicts(conflicts, merged)

    def _base(self, posted: int) -> dict[str, str]:
        """What the user started from: the posted base, else the history row of their version."""
        try:
            base = json.loads(self.form.cleaned_data.get("base") or "null")
        except ValueError:
            base = None
        if isinstance(base, dict):
            return {k: v for k, v in base.items() if isinstance(v, str)}
        history = getattr(self.instance, "history", None)
        row = history.filter(version=posted).order_by("-history_id").first() if history else None
        if row is None:
            return {}  # unknown: every field that differs is a conflict, nothing is assumed
        return {
            name: canon(stored_value(self.form, row, name)) for name in model_field_names(self.form)
        }

    def _show_conflicts(self, conflicts: list[str], merged: list[str]) -> None:
        """The form comes back against the current version: the other person's changes filled in,
        this user's own changes kept, each conflict explained. Saving again is deliberate."""
        form, instance = self.form, self.instance
        by = instance.updated_by or "Someone"
        for name in conflicts:
            spec = _spec(form, name)
            now = (
                spec.display(stored_value(form, instance, name))
                if spec is not None
                else formatting.value(getattr(instance, name))
            )
            form.add_error(
                name,
                f"{by} changed this to “{now}” while you were editing. Save again to keep yours.",
            )
        data = form.data.copy()
        for name in merged:
            spec = _spec(form, name)
            stored = stored_value(form, instance, name)
            value = form.fields[name].prepare_value(spec.initial(stored) if spec else stored)
            if isinstance(value, list):
                data.setlist(form.add_prefix(name), [str(v) for v in value])
            else:
                data[form.add_prefix(name)] = value
        data[form.add_prefix("version")] = instance.version
        data[form.add_prefix("base")] = base_of(form)
        form.data = data
