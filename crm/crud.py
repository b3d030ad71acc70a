"""The shared shape of list, create, edit and delete pages, so each app's views stay thin.

Every helper takes a queryset that the caller has already scoped with `visible_to` /
`editable_by`; nothing here widens it.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import tablib
from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_tables2 import RequestConfig

from crm import fields, spreadsheet
from crm.models import OwnedModel
from crm.paging import BoundedLazyPaginator
from crm.records import changed_columns, record_create, record_delete, record_update

PER_PAGE = 25


def render_list(
    request,
    *,
    queryset,
    filterset_class,
    table_class,
    template: str,
    title: str,
    extra: dict | None = None,
) -> HttpResponse:
    """A filtered, sorted, paginated table; HTMX requests get only the results fragment. The
    custom fields of the records' kind add their columns and filters (crm/fields.py)."""
    kind = getattr(queryset.model, "policy_key", "")
    filterset_class = fields.with_custom_filters(filterset_class, kind, request.user)
    extra_columns, column_choices = fields.list_columns(request, kind, request.user)
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if filterset.is_bound and not filterset.is_valid():
        rows = queryset.none()
    table = table_class(
        rows, extra_columns=extra_columns
    )  # paginated once, below: passing request here would COUNT(*) first
    # LazyPaginator fetches one row past the page instead of COUNT(*): counting a scoped million
    # rows costs more than the whole page. The page shows "Page N" and a next link.
    RequestConfig(
        request, paginate={"per_page": PER_PAGE, "paginator_class": BoundedLazyPaginator}
    ).configure(table)
    context = {
        "table": table,
        "filter": filterset,
        "title": title,
        "column_choices": column_choices,
        **(extra or {}),
    }
    if request.htmx and not request.htmx.boosted:
        template = "crm/list.html#results"  # every list page extends this one
    return render(request, template, context)


def export_list(
    request, *, queryset, filterset_class, builtin: list, name: str, fmt: str
) -> HttpResponse:
    """The list as filtered on screen, as CSV or XLSX: the built-in columns the app names, then
    the custom fields the user's role sees, by label (crm/fields.py)."""
    if fmt not in spreadsheet.FORMATS:
        raise Http404("Export as csv or xlsx.")
    kind = getattr(queryset.model, "policy_key", "")
    filterset_class = fields.with_custom_filters(filterset_class, kind, request.user)
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if filterset.is_bound and not filterset.is_valid():
        rows = queryset.none()
    columns = fields.export_fields(kind, builtin, request.user)
    data = tablib.Dataset(headers=[c.label for c in columns], title=name.capitalize()[:31])
    for record in rows[: spreadsheet.MAX_EXPORT_ROWS]:
        data.append([spreadsheet.safe(c.value(record)) for c in columns])
    return spreadsheet.download(data, fmt, name)


def save_form(request, form, *, record=None, m2m_fields=()) -> object:
    """Save a valid ModelForm through the record services; returns the saved record."""
    m2m = {name: form.cleaned_data[name] for name in m2m_fields if name in form.cleaned_data}
    instance = form.save(commit=False)
    if record is None:
        return record_create(record=instance, by=request.user, m2m=m2m)
    fields = changed_columns(form, instance)
    return record_update(record=instance, by=request.user, fields=fields, m2m=m2m)


def form_page(
    request,
    *,
    form,
    template: str,
    title: str,
    record=None,
    m2m_fields=(),
    success_message: str = "Saved.",
    extra: dict | None = None,
) -> HttpResponse:
    """Create or edit page: GET shows the form, a valid POST saves and goes to the record."""
    if request.method == "POST" and form.is_valid():
        saved = save_form(request, form, record=record, m2m_fields=m2m_fields)
        messages.success(request, success_message.format(record=saved))
        if request.htmx:
            return HttpResponseClientRedirect(saved.get_absolute_url())
        return redirect(saved)
    context = {"form": form, "title": title, "record": record, **(extra or {})}
    if request.htmx and request.method == "POST":
        template = "crm/form_page.html#form"  # invalid: re-render the form into its target (200)
    return render(request, template, context)


def delete_page(request, *, record, list_url: str, template: str = "crm/confirm_delete.html"):
    if request.method == "POST":
        record_delete(record=record, by=request.user)
        messages.success(
            request,
            f"Deleted “{record}”.",
            extra_tags=f"undo:{record._meta.label_lower}:{record.pk}",
        )
        if request.htmx:
            return HttpResponseClientRedirect(list_url)
        return redirect(list_url)
    return render(request, template, {"record": record, "title": f"Delete {record}"})


def safe_next(request, *, fallback: str) -> str:
    """Where a plain form post goes back to: the posted `next` if it is a page of this site.

    Only ever a local path with its query ("/contacts/?page=2"): never another host or scheme
    (`//evil.example`, `javascript:alert(1)`), and never a bare word such as `foo` or `1:2`,
    which `redirect()` would try to reverse as a view name and fail on (a 500). Answer with
    `HttpResponseRedirect(safe_next(...))`. A full URL of this site (the Referer some forms
    post back) keeps its path and query.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return fallback
    parts = urlsplit(target)
    if not parts.path.startswith("/") or parts.path.startswith("//") or "\\" in parts.path:
        return fallback
    return urlunsplit(("", "", parts.path, parts.query, ""))


def owned_model_or_404(label: str):
    """The kind of owned record a URL names ("deals.Deal"); anything else is no such page."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404("No such kind of record.") from exc
    if not issubclass(model, OwnedModel):
        raise Http404("No such kind of record.")
    return model


def errors_text(form) -> str:
    """A form's errors as one sentence, for a message after a plain (non-HTMX) post."""
    return "; ".join(e for errors in form.errors.values() for e in errors)
