"""Settings → Layout: per kind of record, the order of its fields (built-in and custom) — in the
full form, in quick add and on the detail page, at once — which the forms ask up front, and
which columns its list shows people who have not chosen their own (crm/layouts.py).
Fields the model or an enabled report requires are always up front; the page says so.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from crm import custom_fields, custom_sql, fields, layouts, visibility
from crm.custom_fields import Spec
from crm.models import CustomField, Layout, SettingChange
from crm.registry import record_forms

KINDS = dict(CustomField.Model.choices)


SETTINGS_OF = "the layout of forms"  # what the 403 says only an admin may change


def _fields(kind: str, user) -> list[dict]:
    """The form's fields as an admin sees them, in the current layout's order."""
    form = record_forms[kind](user=user)
    return [
        {
            "name": name,
            "label": str(field.label or name).capitalize(),
            "always": field.required or bool(getattr(field, "needed_by", None)),
            "up_front": form._is_up_front(form[name]),
        }
        for name, field in form.fields.items()
        if not form[name].is_hidden
    ]


def _columns(kind: str) -> list[dict]:
    """The list's columns as its default shows them: the built-in ones (the first, the record's
    name, always), then every live custom field (whichever roles see it), as `in_list` says."""
    specs = custom_fields.for_kind(kind)
    shown = fields.default_columns(kind, specs)
    rows = [
        {"name": name, "label": label, "always": i == 0, "shown": i == 0 or name in shown}
        for i, (name, label) in enumerate(fields.table_columns(kind))
    ]
    return rows + [
        {"name": s.name, "label": s.label, "always": False, "shown": s.name in shown} for s in specs
    ]


class OfferedColumns(forms.MultipleChoiceField):
    """The columns the page showed. A name that is no column (any more, or never was) is left
    out rather than an error: a page opened before a field was archived still saves."""

    widget = forms.MultipleHiddenInput

    def clean(self, value) -> set[str]:
        known = {name for name, _ in self.choices}
        return {name for name in value or () if name in known}


class LayoutForm(forms.Form):
    """One position and one "up front" box per field, one "shown" box per list column; anything
    else posted is not a field.

    `offered` names the columns the page showed: only those change, so a page opened before a
    custom field was added (or before the columns were on it) leaves the others alone.
    """

    offered = OfferedColumns(required=False)

    def __init__(self, *args, rows: list[dict], columns: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.columns = rows, columns
        for index, row in enumerate(rows, start=1):
            self.fields[f"pos_{row['name']}"] = forms.IntegerField(
                label=row["label"], min_value=1, max_value=len(rows), initial=index, required=False
            )
            self.fields[f"up_{row['name']}"] = forms.BooleanField(
                required=False, initial=row["up_front"], disabled=row["always"]
            )
        for column in columns:
            self.fields[f"col_{column['name']}"] = forms.BooleanField(
                label=column["label"],
                required=False,
                initial=column["shown"],
                disabled=column["always"],
            )
        self.fields["offered"].choices = [(c["name"], c["label"]) for c in columns]
        self.fields["offered"].initial = [c["name"] for c in columns]

    def layout(self) -> tuple[list[str], list[str]]:
        """The fields in their new order and those chosen up front. A field given a new
        position moves there; the others keep their order around it (as a drag would)."""
        moved = {}
        for index, row in enumerate(self.rows, start=1):
            position = self.cleaned_data.get(f"pos_{row['name']}")
            if position and position != index:
                moved[row["name"]] = position
        order = [r["name"] for r in self.rows if r["name"] not in moved]
        for name, position in sorted(moved.items(), key=lambda item: item[1]):
            order.insert(position - 1, name)
        up_front = [
            r["name"] for r in self.rows if self.cleaned_data[f"up_{r['name']}"] and not r["always"]
        ]
        return order, up_front

    def shown_columns(self) -> set[str]:
        """The columns shown by default from now on: as ticked where the page offered them, as
        before where it did not."""
        offered = self.cleaned_data["offered"]
        return {
            c["name"]
            for c in self.columns
            if (self.cleaned_data[f"col_{c['name']}"] if c["name"] in offered else c["shown"])
        }


def _save_columns(request, kind: str, row: Layout, form: LayoutForm) -> None:
    """The built-in columns go on the layout: the ones shown, with the first, or none when all
    are (so a column added to the list later shows too). A custom field's column is its own
    `in_list`, the same switch as in Settings → Fields; each change is recorded as a change of
    that field."""
    shown, offered = form.shown_columns(), form.cleaned_data["offered"]
    builtin = [name for name, _ in fields.table_columns(kind)]
    kept = [name for name in builtin if name in shown]
    row.columns = [] if kept == builtin else kept
    for field in CustomField.objects.select_for_update().filter(model=kind, archived=False):
        name = custom_fields.FORM_PREFIX + field.key
        if name not in offered or field.in_list == (name in shown):
            continue
        before = {"in_list": field.in_list}
        field.in_list = name in shown
        field.save(update_fields=["in_list"])
        custom_sql.sync(Spec.of(field))  # a list sorts by it: indexed while shown by default
        SettingChange.objects.create(
            by=request.user,
            area="custom field",
            subject=str(field),
            action="changed",
            before=before,
            after={"in_list": field.in_list},
        )


@transaction.atomic
def layout_page(request, kind: str):
    visibility.require_admin(request.user, SETTINGS_OF)
    if kind not in record_forms or kind not in KINDS:
        raise Http404("No such kind of record.")
    rows, columns = _fields(kind, request.user), _columns(kind)
    posted = request.POST if request.method == "POST" else None
    form = LayoutForm(posted, rows=rows, columns=columns)
    if posted is not None and form.is_valid():
        row, _ = Layout.objects.select_for_update().get_or_create(kind=kind)
        before = {"order": row.order, "up_front": row.up_front, "columns": row.columns}
        row.order, row.up_front = form.layout()
        _save_columns(request, kind, row, form)
        row.save()
        layouts.forget()
        after = {"order": row.order, "up_front": row.up_front, "columns": row.columns}
        if after != before:
            SettingChange.objects.create(
                by=request.user,
                area="layout",
                subject=KINDS[kind],
                action="changed",
                before=before,
                after=after,
            )
        messages.success(request, f"Saved the layout of {KINDS[kind].lower()}.")
        return redirect("settings-layout", kind=kind)
    return render(
        request,
        "crm/settings_layout.html",
        {
            "title": f"Layout: {KINDS[kind]}",
            "kind": kind,
            "kinds": [(k, label) for k, label in KINDS.items() if k in record_forms],
            "rows": [
                {**row, "pos": form[f"pos_{row['name']}"], "up": form[f"up_{row['name']}"]}
                for row in rows
            ],
            "columns": [{**c, "box": form[f"col_{c['name']}"]} for c in columns],
            "form": form,
        },
    )
