"""Form plumbing shared by every app: one field template, and choices scoped by visibility."""

from django import forms
from django.forms.renderers import TemplatesSetting

from crm import requirements, visibility


class HuddleFormRenderer(TemplatesSetting):
    form_template_name = "crm/form.html"
    field_template_name = "crm/field.html"


class OwnedModelForm(forms.ModelForm):
    """A ModelForm for an owned record, built for one user.

    Every choice of a related owned record (the company picker, the deal picker, contacts) offers
    only what this user may see, and the owner picker only whom they may assign to, so a forged
    id in a POST fails validation like any other invalid choice.

    Reports first: a field that an enabled report needs is asked for up front, required, and
    says which report needs it ("Needed by: Forecast"). Up front too: the form's
    `primary_fields` and whatever the model itself requires; everything else sits under "More".
    """

    primary_fields: tuple[str, ...] = ()
    template_name = "crm/owned_form.html"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._apply_report_needs()
        self._scope_choices(user)
        if self.instance.pk and hasattr(self.instance, "history"):
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version, required=False
            )

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            StaleEdit(self).check()
        return cleaned

    def _apply_report_needs(self) -> None:
        needed = requirements.needed_fields(self._meta.model._meta.label)
        for name, field in self.fields.items():
            field.needed_by = needed.get(name, [])
            if field.needed_by:
                field.required = True
                field.help_text = "Needed by: " + ", ".join(field.needed_by)

    @property
    def up_front(self) -> list:
        return [f for f in self.visible_fields() if self._is_up_front(f)]

    @property
    def more(self) -> list:
        return [f for f in self.visible_fields() if not self._is_up_front(f)]

    def _is_up_front(self, bound_field) -> bool:
        field = bound_field.field
        return (
            bound_field.name in self.primary_fields
            or field.required
            or bool(getattr(field, "needed_by", None))
            or bool(bound_field.errors)
        )

    def _scope_choices(self, user) -> None:
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            if name == "owner":
                field.queryset = visibility.assignable_owners(user)
                field.required = True
            elif hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
        if "owner" in self.fields and not self.instance.pk:
            self.fields["owner"].initial = user.pk


class StaleEdit:
    """No lost edits: an edit carries the version it was made against (a hidden field).

    Saved over a newer version, the form merges: fields only the other person changed keep
    their new values, fields only this user changed take theirs. A field both changed is a
    conflict: the form comes back showing the other value beside this user's, and saving again
    (now against the newer version) keeps this user's on purpose.
    """

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
        base = instance.history.filter(version=posted).order_by("-history_id").first()
        conflicts = []
        for name in self._model_fields():
            field = instance._meta.get_field(name)
            mine = self._value(form.cleaned_data.get(name))
            current = getattr(instance, field.attname)
            original = getattr(base, field.attname) if base is not None else None
            mine_changed = base is None or mine != original
            theirs_changed = base is None or current != original
            if mine_changed and theirs_changed and mine != current:
                conflicts.append((name, current))
            elif theirs_changed and not mine_changed:
                form.cleaned_data[name] = getattr(instance, name)  # keep their newer value
        if conflicts:
            by = instance.updated_by or "Someone"
            for name, current in conflicts:
                shown = getattr(instance, name)
                form.add_error(
                    name,
                    f"{by} changed this to “{shown if current is not None else ''}” "
                    f"while you were editing. Save again to keep yours.",
                )
            data = form.data.copy()
            data[form.add_prefix("version")] = instance.version  # a second save is deliberate
            form.data = data

    def _model_fields(self) -> list[str]:
        names = {f.name for f in self.instance._meta.concrete_fields}
        return [n for n in self.form.fields if n in names and n != "version"]

    @staticmethod
    def _value(value):
        return getattr(value, "pk", value)
