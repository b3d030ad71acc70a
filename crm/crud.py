"""The shared shape of list, create, edit and delete pages, so each app's views stay thin.

Every helper takes a queryset that the caller has already scoped with `visible_to` /
`editable_by`; nothing here widens it.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_tables2 import RequestConfig

from crm import fields, spreadsheet
from crm.models import OwnedModel
from crm.paging import BoundedLazyPaginator, PagesById
from crm.records import changed_columns, record_create, record_delete, record_update
from crm.registry import ListExport, list_exports

PER_PAGE = 25


def render_list(
    request,
    *,
    queryset,
    filterset_class,
    table_class,
    template: str,
    title: str,
    export: str | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """A filtered, sorted, paginated table; HTMX requests get only the results fragment. The
    custom fields of the records' kind add their columns and filters (crm/fields.py). `export`
    names the list's entry in crm.registry.list_exports: its links under the table."""
    kind = getattr(queryset.model, "policy_key", "")
    filterset, rows = filtered(request, queryset, filterset_class)
    extra_columns, column_choices = fields.list_columns(request, kind, request.user)
    # Paginated once, below: passing request here would COUNT(*) first.
    table = table_class(PagesById(rows, queryset), extra_columns=extra_columns)
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
        "export_links": export_links(request, export) if export else [],
        **(extra or {}),
    }
    if request.htmx and not request.htmx.boosted:
        template = "crm/list.html#results"  # every list page extends this one
    return render(request, template, context)


def filtered(request, queryset, filterset_class):
    """(the filterset, the records it lets through): the list's filters, the custom fields'
    included; invalid filters let nothing through (the page says why)."""
    kind = getattr(queryset.model, "policy_key", "")
    filterset_class = fields.with_custom_filters(filterset_class, kind, request.user)
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if not filterset.is_bound:
        return filterset, queryset
    return filterset, (filterset.qs if filterset.is_valid() else queryset.none())


# ---- exports: the list as the user sees it --------------------------------------------------

EXPORT_CHUNK_ROWS = 2000  # rows fetched at a time while an export streams
FORMAT_LABELS = {"csv": "CSV", "xlsx": "XLSX", "vcf": "vCard"}


def export_formats(entry: ListExport) -> list[str]:
    return [*spreadsheet.FORMATS, *entry.formats]


def export_links(request, name: str) -> list[tuple[str, str]]:
    """(label, address) of each format of the list's export, with the page's query (filters,
    sort, columns), so the file holds what the page shows."""
    entry = list_exports[name]
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    return [
        (FORMAT_LABELS.get(fmt, fmt.upper()), reverse(entry.url_name, args=[fmt]) + query)
        for fmt in export_formats(entry)
    ]


def export_table(request, entry: ListExport):
    """(the filterset, the table) of the list page for `request.user` and `request.GET`, the
    same as render_list builds them — records, filters, the custom columns this user shows,
    `?sort=` (else the table's default order) — but not paginated."""
    queryset = entry.records(request.user)
    kind = getattr(queryset.model, "policy_key", "")
    filterset, rows = filtered(request, queryset, entry.filterset_class)
    extra_columns, _ = fields.list_columns(request, kind, request.user)
    table = entry.table_class(rows, extra_columns=extra_columns)
    RequestConfig(request, paginate=False).configure(table)
    return filterset, table


def list_export(request, entry: ListExport, fmt: str, *, table=None) -> spreadsheet.Export:
    """The list as a file: the table's shown columns, by label, and its rows, filtered and
    sorted as on the page, read `EXPORT_CHUNK_ROWS` at a time as the file is written.

    No row cap: memory stays constant however long the list (CSV streams as it is read, XLSX
    is written a row at a time to a temporary file), and a file that silently stops at N rows
    would not be the list the user sees. A list too long for the web worker's timeout is for
    `manage.py export`, which gives the same file.
    """
    if table is None:
        _, table = export_table(request, entry)
    records = table.data.data.iterator(chunk_size=EXPORT_CHUNK_ROWS)  # ordered as the page
    if fmt in entry.formats:
        writer = entry.formats[fmt]
        filename = f"huddle-{entry.name}.{fmt}"
        return spreadsheet.Export(filename, writer.content_type, chunks=writer.write(records))
    headers = fields.export_headers(table)
    return spreadsheet.export(headers, fields.export_rows(table, records), fmt, entry.name)


def export_list(request, name: str, fmt: str):
    """The export view of a list (crm.registry.list_exports[name]): a streamed file."""
    entry = list_exports[name]
    if fmt not in export_formats(entry):
        raise Http404(f"Export as {', '.join(export_formats(entry))}.")
    return list_export(request, entry, fmt).response()


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
