"""The one inline-edit mechanism: a field shown as a value, edited in place, saved with a version.

Fix lists, tables and detail pages all use it. The edit carries the record's version and the
value the user started from; a save over a newer version merges unless this very field was
changed meanwhile — then the user sees both values and chooses (nothing is overwritten silently).
"""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.forms import DateInput, modelform_factory
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString

from crm import custom_fields, formatting, visibility
from crm.crud import owned_model_or_404, safe_next
from crm.forms import OwnedModelForm
from crm.records import record_update, retry_if_stale
from crm.registry import inline_fields
from crm.widget_html import escaped

TEMPLATE = "crm/inline_field.html"


# Custom fields are edited in place too (by their form name, custom_<key>), except those whose
# value is a list: one input, one value.
NOT_INLINE_TYPES = frozenset({"multiple_choice"})


def custom_spec(record_or_model, field: str, user):
    """The admin's field `field` (custom_<key>) of this kind of record as `user` sees it, or
    None when `field` is not a custom field's name."""
    if not field.startswith(custom_fields.FORM_PREFIX):
        return None
    kind = getattr(record_or_model, "policy_key", "")
    for spec in custom_fields.seen_by(kind, user):
        if spec.name == field and spec.type not in NOT_INLINE_TYPES:
            return spec
    raise Http404("That field cannot be edited in place.")


def resolve(label: str, pk: int, field: str, user, *, for_edit: bool):
    """The record and field named in the URL, if inline editing is allowed for them."""
    model = owned_model_or_404(label)
    spec = custom_spec(model, field, user)
    if spec is None and field not in inline_fields.get(label, ()):
        raise Http404("That field cannot be edited in place.")
    if for_edit:
        record = visibility.get_editable_or_403(model.objects, user, pk=pk)
        if spec is not None and not spec.edits(user):
            raise PermissionDenied("Your role may not change that field.")
        return record
    return visibility.get_visible_or_404(model.objects, user, pk=pk)


class InlineForm(OwnedModelForm):
    """One field of a record: a built-in one, or one custom field (`only`), never the others
    (a required custom field must not stop an edit of the phone number)."""

    versioned = False  # the inline edit carries the version and the original value itself
    only: str = ""

    def _add_custom_fields(self, user) -> None:
        super()._add_custom_fields(user)
        for spec in self.custom_specs:
            if spec.name != self.only:
                del self.fields[spec.name]
        self.custom_specs = [s for s in self.custom_specs if s.name == self.only]


def form_for(record, field: str, user, data=None):
    if field.startswith(custom_fields.FORM_PREFIX):
        form_class = modelform_factory(type(record), form=InlineForm, fields=[])
        form_class.only = field
    else:
        kind = record._meta.get_field(field).get_internal_type()
        widgets = {"DateField": DateInput(attrs={"type": "date"})}
        form_class = modelform_factory(
            type(record),
            form=InlineForm,
            fields=[field],
            widgets={field: widgets[kind]} if kind in widgets else None,
        )
    return form_class(data, instance=record, user=user, auto_id=f"inline-{record.pk}-%s")


def _custom_key(field: str) -> str | None:
    prefix = custom_fields.FORM_PREFIX
    return field[len(prefix) :] if field.startswith(prefix) else None


def shown(record, field: str) -> str:
    """The value as the user sees it; also what an edit is compared against."""
    key = _custom_key(field)
    value = (record.custom or {}).get(key) if key else getattr(record, field)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "pk", value))


def display(value) -> str:
    """How a value reads on the page, as crm/formatting.py writes it everywhere ("€125,000",
    "5 Mar 2027"): the value in place reads like the same value shown read-only."""
    return formatting.value(value)


def context(record, field: str, *, spec=None, **extra) -> dict:
    label = record._meta.label
    if spec is None and _custom_key(field):
        spec = next(s for s in custom_fields.for_kind(record.policy_key) if s.name == field)
    if spec is not None:
        name, value = spec.label, spec.display((record.custom or {}).get(spec.key))
    else:
        name, value = record._meta.get_field(field).verbose_name, display(getattr(record, field))
    ctx = {
        "record": record,
        "field": field,
        "label": name,
        "value": value,
        "shown": shown(record, field),
        "url": _url(label, field, record.pk),
        "dom_id": f"inline-{label.replace('.', '-')}-{record.pk}-{field}",
        **extra,
    }
    ctx["display_html"] = display_html(ctx)
    return ctx


def _url(label: str, field: str, pk: int) -> str:
    """reverse() once per kind of field (per script prefix), not once per table cell."""
    template = _url_template(label, field, get_script_prefix())
    return template.replace("/0/", f"/{pk}/", 1)


@lru_cache(maxsize=256)
def _url_template(label: str, field: str, _prefix: str) -> str:
    return reverse("inline-edit", args=[label, 0, field])


def display_html(ctx: dict) -> str:
    """The value as a button that opens its input: the same markup for partials and tables.

    It names its own target and selection (`this`, `unset`): inside a list's results wrapper it
    would otherwise inherit that wrapper's hx-target and hx-select and replace the whole table.
    Written with `escaped` rather than format_html: a list shows up to fifty of them, and
    format_html's lazy-string wrappers cost more than the rest of the cell.
    """
    label = escaped(ctx["label"])
    shown = escaped(ctx["value"]) if ctx["shown"] else f'<span class="muted">add {label}</span>'
    return SafeString(
        f'<span class="inline-field{" saved" if ctx.get("saved") else ""}" '
        f'id="{escaped(ctx["dom_id"])}" hx-get="{escaped(ctx["url"])}?edit=1" hx-trigger="click" '
        'hx-target="this" hx-select="unset" hx-swap="outerHTML" tabindex="0" role="button" '
        f'aria-label="Edit {label}">{shown}</span>'
    )


def cell(record, field: str):
    """A table cell: editable in place when the row says so (`is_editable`), plain otherwise."""
    if getattr(record, "is_editable", False):
        return context(record, field)["display_html"]
    return display(getattr(record, field)) or "—"


def custom_cell(record, spec, user, *, editable: bool | None = None):
    """A custom field's value in a table or on a detail page: editable in place when the record
    may be changed (`editable`, else the row's `is_editable`) and the role may change this
    field."""
    if editable is None:
        editable = getattr(record, "is_editable", False)
    editable = editable and spec.edits(user)
    if editable and spec.type not in NOT_INLINE_TYPES:
        return context(record, spec.name, spec=spec)["display_html"]
    return spec.display((record.custom or {}).get(spec.key)) or "—"


@retry_if_stale
def inline_edit(request, label: str, pk: int, field: str):
    """GET: the value (or, with ?edit=1, its input). POST: save it, or show the conflict."""
    if request.method != "POST":
        editing = request.GET.get("edit") == "1"
        record = resolve(label, pk, field, request.user, for_edit=editing)
        if not editing:
            return render(request, f"{TEMPLATE}#display", context(record, field))
        form = form_for(record, field, request.user)
        return render(request, f"{TEMPLATE}#edit", context(record, field, form=form))
    record = resolve(label, pk, field, request.user, for_edit=True)
    original = request.POST.get("original", "")
    try:
        their_version = int(request.POST.get("version", ""))
    except ValueError as exc:
        raise PermissionDenied("This edit carries no version; reload and try again.") from exc
    current = shown(record, field)
    form = form_for(record, field, request.user, request.POST)
    changed_meanwhile = their_version != record.version and current != original
    if changed_meanwhile and request.POST.get(field, "") == original:
        # This user left the value as it was; someone else changed it: show the newer value.
        return render(request, f"{TEMPLATE}#display", context(record, field))
    if changed_meanwhile:
        # Someone changed this very field since the user started: let them choose. Choosing
        # "Use mine" posts again against the version shown, so a third change stops it again.
        return render(
            request,
            f"{TEMPLATE}#conflict",
            context(
                record,
                field,
                form=form,
                mine=request.POST.get(field, ""),
                theirs=current,
                changed_by=record.updated_by,
            ),
        )
    if not form.is_valid():
        return render(request, f"{TEMPLATE}#edit", context(record, field, form=form))
    if field in form.changed_data:
        columns = ["custom"] if _custom_key(field) else [field]
        record = record_update(record=form.save(commit=False), by=request.user, fields=columns)
    if not request.htmx:  # a plain form post (no JavaScript): back to where it came from
        return HttpResponseRedirect(safe_next(request, fallback=record.get_absolute_url()))
    response = render(request, f"{TEMPLATE}#display", context(record, field, saved=True))
    response["HX-Trigger"] = "recordChanged"
    return response
