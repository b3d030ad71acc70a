"""Settings → Layout: per kind of record, the order of its form's fields (built-in and custom)
and which are asked up front — in the full form and in quick add, at once (crm/layouts.py).
Fields the model or an enabled report requires are always up front; the page says so.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from crm import layouts, visibility
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


class LayoutForm(forms.Form):
    """One position and one "up front" box per field; anything else posted is not a field."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for index, row in enumerate(rows, start=1):
            self.fields[f"pos_{row['name']}"] = forms.IntegerField(
                label=row["label"], min_value=1, max_value=len(rows), initial=index, required=False
            )
            self.fields[f"up_{row['name']}"] = forms.BooleanField(
                required=False, initial=row["up_front"], disabled=row["always"]
            )

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


@transaction.atomic
def layout_page(request, kind: str):
    visibility.require_admin(request.user, SETTINGS_OF)
    if kind not in record_forms or kind not in KINDS:
        raise Http404("No such kind of record.")
    rows = _fields(kind, request.user)
    posted = request.POST if request.method == "POST" else None
    form = LayoutForm(posted, rows=rows)
    if posted is not None and form.is_valid():
        row, _ = Layout.objects.select_for_update().get_or_create(kind=kind)
        before = {"order": row.order, "up_front": row.up_front}
        row.order, row.up_front = form.layout()
        row.save()
        layouts.forget()
        after = {"order": row.order, "up_front": row.up_front}
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
            "form": form,
        },
    )
