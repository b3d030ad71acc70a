"""Quick add from anywhere: "+ Add" in the top bar (or the "n" key) opens a small dialog.

The apps register their forms (crm.registry.register_quick_add); this module turns each into a
short one: only the fields asked up front (the form's primary fields, what the enabled reports
need, what the model requires), without the owner (whoever adds owns) and without the fields the
registration presets (the kind of an activity). Enter saves; the dialog says "Added X — open it"
with "Add another" focused (Enter again), and sends `HX-Trigger: recordAdded`, so the lists and
My day behind it refresh themselves (`hx-trigger="recordAdded from:body"`). The answer renders no
form: a fresh one (pickers, pipelines) would cost the write's query budget again.

Without JavaScript, "+ Add" is a link to a page of every quick-add form, each a plain POST that
goes to the new record.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from crm import pickers
from crm.crud import save_form
from crm.registry import QuickAdd, quick_add_items, quick_adds

TEMPLATE = "crm/quick_add.html"
ADDED_TRIGGER = "recordAdded"
ABOUT = "about"  # the "with whom" of an activity (contacts.forms.QuickActivityForm)


class QuickAddForm:
    """Mixed in before an app's OwnedModelForm: keeps the fields asked up front, nothing else.

    Its pickers (company, deal, "with whom") are type-aheads (crm/pickers.py) whose plain
    <select> offers the chosen record and the user's own recent few: a <select> of 20,000
    companies is no picker. `initial` may choose one up front (the record whose page the dialog
    was opened on)."""

    def __init__(self, *args, preset=None, initial=None, **kwargs):
        preset = preset or {}
        super().__init__(*args, initial={**(initial or {}), **preset}, **kwargs)
        for name, value in preset.items():  # on the new record, whatever is posted
            setattr(self.instance, name, value)
        for name in list(self.fields):
            if name in preset or name == "owner" or not self._asked_up_front(name):
                del self.fields[name]
        pickers.scale(self)
        # Focus where the typing starts: the first field not already filled in.
        first = next(
            (f for n, f in self.fields.items() if not self.initial.get(n)),
            next(iter(self.fields.values()), None),
        )
        if first is not None:
            first.widget.attrs["autofocus"] = True

    def _asked_up_front(self, name: str) -> bool:
        """OwnedModelForm.up_front, decided before validation (that also keeps fields in error)."""
        field = self.fields[name]
        return (
            name in self.chosen_up_front
            or field.required
            or bool(getattr(field, "needed_by", None))
        )

    def _get_validation_exclusions(self):
        """A chosen record came from its field's (visibility-scoped) queryset just now: the
        model's check that it exists would only cost a query more."""
        exclude = super()._get_validation_exclusions()
        exclude.update(
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.ModelChoiceField)
            and not isinstance(field, forms.ModelMultipleChoiceField)
            and self.cleaned_data.get(name) is not None
        )
        return exclude

    def add_error(self, field, error):
        """A rule of the model may name a field this short form does not ask (a lost deal's
        reason): say it above the form, with the field's name, instead of failing."""
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        if field is not None and field not in self.fields:
            error, field = ValidationError({field: error.error_list}), None
        if field is None and hasattr(error, "error_dict"):
            asked = {
                name: errors
                for name, errors in error.error_dict.items()
                if name == NON_FIELD_ERRORS or name in self.fields
            }
            unasked = [
                f"{self._label(name)}: {message}"
                for name, errors in error.error_dict.items()
                if name not in asked
                for message in ValidationError(errors).messages
            ]
            if unasked:
                super().add_error(None, unasked)
            if not asked:
                return
            error = ValidationError(asked)
        super().add_error(field, error)

    def _label(self, name: str) -> str:
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name).capitalize()
        except FieldDoesNotExist:
            return name


_form_classes: dict[type, type] = {}


def short_form_class(form_class: type) -> type:
    if form_class not in _form_classes:
        name = f"Quick{form_class.__name__}"
        _form_classes[form_class] = type(name, (QuickAddForm, form_class), {})
    return _form_classes[form_class]


def build_form(entry: QuickAdd, user, data=None, *, about: str = ""):
    """The short form of one registration, for one user. Its presets are the form's initial
    values (so the app's form can read them in __init__) and are set on the new record.
    `about` ("contact:12") is the record a "with whom" picker starts on."""
    preset = {name: value() if callable(value) else value for name, value in entry.initial.items()}
    form_class = short_form_class(entry.form_class)
    initial = {ABOUT: about} if about and ABOUT in form_class.base_fields else {}
    return form_class(
        data, user=user, preset=preset, initial=initial, auto_id=f"quick-{entry.key}-%s"
    )


def _about(request) -> str:
    """The record the dialog was opened on: the page behind it (HTMX says which), or
    `?about=contact:12` on the plain page. Empty elsewhere."""
    if request.GET.get(ABOUT):
        return str(request.GET[ABOUT])[:40]
    if request.htmx and request.htmx.current_url:
        return pickers.record_at(request.user, request.htmx.current_url)
    return ""


def _entry_or_404(key: str) -> QuickAdd:
    entry = quick_adds.get(key)
    if entry is None:
        raise Http404("Nothing of that kind can be added here.")
    return entry


def _dialog(request, entry: QuickAdd, form, *, added=None):
    return render(
        request,
        f"{TEMPLATE}#dialog",
        {"entry": entry, "form": form, "items": quick_add_items(), "added": added},
    )


def _is_fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


@require_GET
def quick_add(request):
    """The dialog, opened on its first kind (HTMX); without JavaScript, a page of every form."""
    items = quick_add_items()
    if not items:
        raise Http404("No app offers quick add.")
    if _is_fragment(request):
        return _dialog(request, items[0], build_form(items[0], request.user))
    about = _about(request)
    forms_ = [(entry, build_form(entry, request.user, about=about)) for entry in items]
    return render(request, TEMPLATE, {"title": "Add", "forms": forms_})


@require_http_methods(["GET", "POST"])
def quick_add_form(request, key):
    """One kind: GET shows its form (a tab of the dialog), POST adds the record.

    Added: HTMX gets the dialog again, saying so, with "Add another" and `HX-Trigger: recordAdded`; a plain post goes to the new record. Invalid: 200, errors at the
    fields, whichever way it came.
    """
    entry = _entry_or_404(key)
    if request.method == "POST":
        form = build_form(entry, request.user, request.POST)
        if form.is_valid():
            m2m = [
                n for n, f in form.fields.items() if isinstance(f, forms.ModelMultipleChoiceField)
            ] + list(getattr(form, "m2m_fields", ()))
            record = save_form(request, form, m2m_fields=m2m)
            if _is_fragment(request):
                response = _dialog(request, entry, None, added=record)
                response["HX-Trigger"] = ADDED_TRIGGER
                return response
            messages.success(request, f"Added {entry.label.lower()} {record}.")
            return redirect(record)
    else:
        about = _about(request) if ABOUT in entry.form_class.base_fields else ""
        form = build_form(entry, request.user, about=about)
    if _is_fragment(request):
        return _dialog(request, entry, form)
    return render(
        request, TEMPLATE, {"title": f"Add {entry.label.lower()}", "forms": [(entry, form)]}
    )
