"""Form plumbing shared by every app: one field template, and choices scoped by visibility."""

from django import forms
from django.forms.renderers import TemplatesSetting

from crm import custom_fields, layouts, requirements, visibility, widget_html
from crm.stale import StaleEdit, add_version_fields


class HuddleFormRenderer(TemplatesSetting):
    form_template_name = "crm/form.html"
    field_template_name = "crm/field.html"

    def render(self, template_name, context, request=None):
        # Inputs, selects and text areas are written out in Python (crm/widget_html.py).
        html = widget_html.render(template_name, context)
        return super().render(template_name, context, request) if html is None else html


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
    # Edit forms carry version and base (crm/stale.py); inline edit carries its own, per field.
    versioned = True
    template_name = "crm/owned_form.html"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._add_custom_fields(user)
        layouts.apply(self, getattr(self._meta.model, "policy_key", ""))
        self._apply_report_needs()
        self._scope_choices(user)
        if self.instance.pk and self.versioned:
            add_version_fields(self)  # no lost edits: see crm/stale.py

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            StaleEdit(self).check()
        return cleaned

    def _add_custom_fields(self, user) -> None:
        """The admin's fields for this kind of record (crm/custom_fields.py), as its role sees
        them: a field the role may see but not edit shows its value, disabled."""
        kind = getattr(self._meta.model, "policy_key", "")
        self.custom_specs = custom_fields.seen_by(kind, user) if kind else []
        values = self.instance.custom or {}
        for spec in self.custom_specs:
            field = spec.form_field()
            if not spec.edits(user):
                field.disabled, field.required = True, False
            field.initial = spec.initial(values.get(spec.key))
            self.fields[spec.name] = field

    def _post_clean(self):
        # The custom values go into the record's JSON before the model validates and saves;
        # values of fields this form does not show (archived, hidden from the role) stay.
        values = dict(self.instance.custom or {})
        for spec in self.custom_specs:
            if spec.name not in self.cleaned_data or self.fields[spec.name].disabled:
                continue
            stored = spec.to_json(self.cleaned_data[spec.name])
            if stored is None:
                values.pop(spec.key, None)
            else:
                values[spec.key] = stored
        self.instance.custom = values
        super()._post_clean()

    def _apply_report_needs(self) -> None:
        needed = requirements.needed_fields(self._meta.model._meta.label)
        for name, field in self.fields.items():
            field.needed_by = needed.get(name, [])
            if field.needed_by:
                field.required = True
                field.help_text = "Needed by: " + ", ".join(field.needed_by)

    @property
    def chosen_up_front(self):
        """The fields asked first by choice: the admin's layout, else the form's own."""
        chosen = getattr(self, "layout_up_front", None)
        return self.primary_fields if chosen is None else chosen

    @property
    def up_front(self) -> list:
        return [f for f in self.visible_fields() if self._is_up_front(f)]

    @property
    def more(self) -> list:
        return [f for f in self.visible_fields() if not self._is_up_front(f)]

    def _is_up_front(self, bound_field) -> bool:
        field = bound_field.field
        return (
            bound_field.name in self.chosen_up_front
            or field.required
            or bool(getattr(field, "needed_by", None))
            or bool(bound_field.errors)
        )

    def _scope_choices(self, user) -> None:
        """Owner: whoever may own such a record under the policy, and its owner now (so a
        teammate who may edit it saves it without being made to change its owner). A related
        record: those the user may see, and the one linked now even if they may not — offered
        without its name, so saving never drops a link its editor cannot see."""
        model = self._meta.model
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            if name == "owner":
                field.queryset = visibility.assignable_owners(
                    user,
                    model if getattr(model, "policy_key", "") else None,
                    current=self.instance.owner_id if self.instance.pk else None,
                )
                field.required = True
                continue
            if not hasattr(queryset, "visible_to"):
                continue
            current = visibility.linked_now(self.instance, name)
            field.queryset = visibility.visible_or_current(queryset, user, current)
            if current is not None:
                hidden = f"({queryset.model._meta.verbose_name} you cannot see)"
                field.label_from_instance = lambda obj, label=field.label_from_instance, h=hidden: (
                    label(obj) if getattr(obj, "is_visible", True) else h
                )
        if "owner" in self.fields and not self.instance.pk:
            self.fields["owner"].initial = user.pk
