"""Pickers that scale: every company, contact and deal choice is a type-ahead over the search
table (crm.SearchEntry), within visibility, instead of a <select> listing thousands.

One widget (`Picker`) serves every form. It renders a plain <select> holding only the chosen
record and the user's own few most recent ones — that is the whole picker without JavaScript,
and what the form posts either way — plus a text input that static/js/pickers.js shows instead:
typing asks `picker` (one search query, ≤ 3 with the session and the user) for the matches,
each with its company and owner, and the one picked becomes the select's chosen option.

A choice of one kind is a model's ModelChoiceField whose widget `scale()` swaps; a choice among
several kinds ("with whom": a contact, company or deal) is a `RecordChoiceField`, posted as
"contact:12". Both validate against what the user may see, so a forged id is an invalid choice.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django import forms
from django.db.models import Case, Q, Value, When
from django.forms.models import ModelChoiceIterator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from crm import search, visibility
from crm.converters import is_id
from crm.models import SearchEntry

RECENT = 10  # the user's own most recent records a select offers without typing
PER_KIND = 8  # matches per kind while typing
MAX_QUERY = 100
KIND_NAMES = {"contact": "Contact", "company": "Company", "deal": "Deal"}


class Picker(forms.Select):
    """A <select> of few options plus a type-ahead over `kinds` (see the module docstring)."""

    template_name = "crm/picker.html"

    def __init__(self, kinds=(), attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.kinds = tuple(kinds)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["picker_url"] = reverse("picker") + "?" + urlencode({"kinds": ",".join(self.kinds)})
        chosen = [
            option
            for _group, options, _index in widget["optgroups"]
            for option in options
            if option["selected"] and option["value"] not in ("", None)
        ]
        widget["chosen_label"] = chosen[0]["label"] if chosen else ""
        widget["placeholder"] = "Type a name…"
        return context


class MultiPicker(forms.SelectMultiple):
    """Several records of one kind: the chosen ones as removable chips over a <select multiple>
    that holds only them, plus the same type-ahead to add one more (static/js/pickers.js)."""

    template_name = "crm/multi_picker.html"

    def __init__(self, kinds=(), attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.kinds = tuple(kinds)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["picker_url"] = reverse("picker") + "?" + urlencode({"kinds": ",".join(self.kinds)})
        widget["chosen"] = [
            option
            for _group, options, _index in widget["optgroups"]
            for option in options
            if option["selected"] and option["value"] not in ("", None)
        ]
        widget["placeholder"] = "Type a name to add…"
        return context


class RecentChoices(ModelChoiceIterator):
    """The options a picker's <select> shows; the field's own (visible) queryset validates."""

    def __init__(self, field, queryset):
        super().__init__(field)
        self.queryset = queryset


def _chosen(form, name):
    if form.is_bound:
        return form.data.get(form.add_prefix(name))
    value = form.initial.get(name, form.fields[name].initial)
    return getattr(value, "pk", value)


def recent_records(field, user, chosen):
    """The chosen record first (if the field's queryset — what the user may pick — holds it),
    then the user's own most recently changed ones."""
    if chosen is None or not is_id(str(chosen)):
        recent = field.queryset.filter(owner_id=user.pk)
        return recent.order_by("-updated_at", "-pk")[:RECENT]
    chosen_first = Case(When(pk=int(chosen), then=Value(0)), default=Value(1))
    recent = field.queryset.filter(Q(owner_id=user.pk) | Q(pk=int(chosen)))
    return recent.order_by(chosen_first, "-updated_at", "-pk")[:RECENT]


def chosen_records(field, chosen):
    """Only the chosen records (a filter offers no "recent" ones: no query when none is)."""
    ids = [int(pk) for pk in chosen if is_id(str(pk))]
    return field.queryset.filter(pk__in=ids) if ids else field.queryset.none()


def scale(form, *names: str, user=None, recent: bool = True) -> None:
    """Make the company, contact and deal choices of `form` (all, or those named) pickers.
    Call it after the form scoped its querysets (OwnedModelForm does in __init__). A choice of
    several (ModelMultipleChoiceField) offers the chosen ones only; so does `recent=False`."""
    user = user or form.user
    for name, field in form.fields.items():
        if names and name not in names:
            continue
        if not isinstance(field, forms.ModelChoiceField):
            continue
        kind = getattr(field.queryset.model, "policy_key", "")
        if kind not in KIND_NAMES:
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            widget = MultiPicker(kinds=(kind,), attrs=dict(field.widget.attrs))
            records = chosen_records(field, _chosen_many(form, name))
        else:
            widget = Picker(kinds=(kind,), attrs=dict(field.widget.attrs))
            chosen = _chosen(form, name)
            if recent:
                records = recent_records(field, user, chosen)
            else:
                records = chosen_records(field, [chosen] if chosen is not None else [])
        widget.is_required = field.required
        widget.choices = RecentChoices(field, records)
        field.widget = widget


class PickerFilterSet:
    """A django-filter FilterSet mixin: the filters named in `pickers` (company, contact or deal
    choices) are type-ahead pickers offering only the chosen record — a list's filter bar never
    renders a select of every visible company."""

    pickers: tuple[str, ...] = ()

    @property
    def form(self):
        form = super().form
        if not getattr(form, "pickers_scaled", False):
            form.pickers_scaled = True
            if self.request is not None:
                scale(form, *self.pickers, user=self.request.user, recent=False)
        return form


def _chosen_many(form, name) -> list:
    if form.is_bound:
        return form.data.getlist(form.add_prefix(name)) if hasattr(form.data, "getlist") else []
    value = form.initial.get(name, form.fields[name].initial) or []
    if hasattr(value, "all"):  # a related manager of the edited record
        value = value.all()
    return [getattr(v, "pk", v) for v in value]


class RecordChoiceField(forms.Field):
    """One record among several kinds, posted as "kind:id"; cleans to the record, fetched within
    what `user` may see (one query), with its company."""

    default_error_messages = {
        "invalid_choice": "Pick one from the list: that one is not there, or not yours to see."
    }

    def __init__(self, *, kinds, **kwargs):
        self.kinds = tuple(kinds)
        kwargs.setdefault("widget", Picker(kinds=self.kinds))
        super().__init__(**kwargs)
        self.user = None

    def prepare(self, user, chosen) -> None:
        """For one user: what the picker's <select> offers (the chosen and the user's own
        newest records of these kinds, one query over the search table), and whom to check."""
        self.user = user
        condition = Q(owner_id=user.pk)
        order = ["-pk"]
        kind, pk = _split(chosen)
        if kind in self.kinds:
            condition |= Q(kind=kind, object_id=pk)
            order.insert(0, Case(When(kind=kind, object_id=pk, then=Value(0)), default=Value(1)))
        entries = (
            SearchEntry.objects.filter(search.visible_q(user, self.kinds))
            .filter(condition)
            .order_by(*order)[:RECENT]
        )

        def choices():  # read when the form is shown, not when a post is validated
            return [("", "—")] + [
                (f"{e.kind}:{e.object_id}", f"{e.title} ({KIND_NAMES[e.kind].lower()})")
                for e in entries
            ]

        self.widget.choices = choices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        kind, pk = _split(value)
        model = search.model_of(kind)
        if kind not in self.kinds or model is None or self.user is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        queryset = visibility.visible(model.objects.all(), self.user)
        if any(f.name == "company" for f in model._meta.get_fields()):
            queryset = queryset.select_related("company")
        record = queryset.filter(pk=pk).first()
        if record is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return record

    def prepare_value(self, value):
        if hasattr(value, "policy_key"):
            return f"{value.policy_key}:{value.pk}"
        return value


def _split(value) -> tuple[str, int | None]:
    kind, _, pk = str(value or "").partition(":")
    return (kind, int(pk)) if is_id(pk) else ("", None)


def record_at(user, url: str) -> str:
    """The record whose page `url` is, or is under ("/contacts/12/edit/" -> "contact:12"), if
    the user may see it; else "". One query on the search table's (kind, object id) index,
    only for a URL that names an id."""
    parts = urlsplit(url or "").path.split("/")
    last = max((i for i, part in enumerate(parts) if is_id(part)), default=None)
    if last is None:
        return ""
    page = "/".join(parts[: last + 1]) + "/"
    entry = (
        SearchEntry.objects.filter(search.visible_q(user), object_id=int(parts[last]), url=page)
        .only("kind", "object_id")
        .first()
    )
    return f"{entry.kind}:{entry.object_id}" if entry else ""


@require_GET
def picker(request):
    """The matches for what is typed into a picker (HTMX fragment, or a plain list)."""
    kinds = [k for k in request.GET.get("kinds", "").split(",") if k in KIND_NAMES]
    kinds = [k for k in dict.fromkeys(kinds) if search.model_of(k)]
    if not kinds:
        raise Http404("Nothing to pick from: say which kinds (contact, company, deal).")
    text = request.GET.get("q", "").strip()[:MAX_QUERY]
    hits = []
    if len(text) >= search.MIN_LENGTH:
        found = search.query(request.user, text, PER_KIND, kinds=kinds, owners=True)
        hits = [hit for kind in kinds for hit in found.get(kind, [])]
    for hit in hits:
        hit.value = f"{hit.kind}:{hit.object_id}" if len(kinds) > 1 else str(hit.object_id)
        hit.kind_name = KIND_NAMES[hit.kind]
    return render(
        request,
        "crm/picker.html#options",
        {"hits": hits, "query": text, "short": len(text) < search.MIN_LENGTH},
    )
