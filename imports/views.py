"""The import pages, for every kind of file (imports/kinds.py): upload → column mapping →
preview → confirm, the batch's page with its Undo, and the import history.

An upload is its user's alone (anyone else, the admin too, gets 404: it is a file on its way in,
not a record). A batch is its user's, and the admin's, who may see and undo any. Every step is a
plain page and form (no JavaScript needed): each POST redirects to the next step.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from contacts.importing.files import read_table
from contacts.importing.mapping import Mapping
from contacts.importing.table import ImportFileError
from crm import formatting
from imports import kinds, services
from imports.forms import MappingForm, UploadForm
from imports.models import ImportBatch, ImportUpload

HISTORY = 50  # batches listed on the import page, newest first
PREVIEW_ROWS = 500  # row outcomes a preview lists (errors first); the counts cover them all
SAMPLES = 2  # sample values per column on the mapping page
SAMPLE_ROWS = 50  # rows searched for them
UPLOAD_LIFETIME = timedelta(days=1)


def summary(counts: dict) -> str:
    """ "3 new, 1 updated, 0 unchanged, 0 skipped, 1 with errors; 2 new companies": the words
    the import command prints, so the page and the command read alike."""
    text = ", ".join(f"{counts.get(key, 0)} {key}" for key in ("new", "updated", "unchanged"))
    text += f", {counts.get('skipped', 0)} skipped, {counts.get('errors', 0)} with errors"
    return text + f"; {counts.get('companies_new', 0)} new companies"


def _history(user):
    """The batches a user may see: their own; the admin's history is everyone's."""
    batches = ImportBatch.objects.select_related("user", "undone_by")
    return batches if user.is_admin else batches.filter(user=user)


def _own_upload(request, pk) -> ImportUpload:
    return get_object_or_404(ImportUpload, pk=pk, user=request.user)


def _batch(request, pk) -> ImportBatch:
    return get_object_or_404(_history(request.user), pk=pk)


def _table(upload: ImportUpload):
    """The upload's file, read again. It was readable when uploaded; should a newer Huddle's
    reader refuse it, `Unreadable` takes the person back to the upload form with the reason."""
    try:
        return read_table(bytes(upload.data), upload.filename)
    except ImportFileError as error:
        raise Unreadable(upload, error.message) from None


class Unreadable(Exception):
    def __init__(self, upload: ImportUpload, message: str):
        super().__init__(message)
        self.upload, self.message = upload, message


def _start_again(request, unreadable: Unreadable):
    unreadable.upload.delete()
    messages.error(request, f"{unreadable.upload.filename}: nothing imported. {unreadable.message}")
    return redirect("imports:contacts")


def _mapping(request, upload: ImportUpload, table) -> Mapping:
    """The mapping chosen for this upload, else the one remembered for files of its shape, else
    Huddle's guess."""
    if upload.mapping is not None:
        targets = kinds.get(upload.kind).targets(request.user)
        return Mapping.from_dict(upload.mapping, table.headers, targets)
    return services.mapping_for(request.user, table, upload.kind)


def _record_name(batch: ImportBatch) -> str:
    """What the batch's error numbers count: cards of a vCard file, else rows (the batch keeps
    its file's name, not its kind)."""
    return "card" if batch.filename.lower().endswith((".vcf", ".vcard")) else "row"


# ---- upload and history ----------------------------------------------------------------------


def contacts_page(request):
    """The upload form and the history. A file Huddle cannot read comes back as the form with
    the reason; nothing is stored then. `?kind=deal` preselects what the file holds."""
    wanted = request.GET.get("kind")
    form = UploadForm(initial={"kind": wanted} if wanted in kinds.KINDS else None)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            ImportUpload.objects.filter(
                user=request.user, created_at__lt=timezone.now() - UPLOAD_LIFETIME
            ).delete()
            upload = ImportUpload.objects.create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                filename=form.cleaned_data["file"].name[:255],
                data=form.data_bytes,
                on_match=form.cleaned_data["on_match"],
            )
            return redirect("imports:mapping", pk=upload.pk)
    batches = list(_history(request.user)[:HISTORY])
    for batch in batches:  # "Deals", not the stored key "deal"
        kind = kinds.KINDS.get(batch.kind)
        batch.kind_label = kind.plural.capitalize() if kind else batch.kind
    return render(
        request,
        "imports/contacts.html",
        {
            "title": "Import",
            "form": form,
            "batches": batches,
            "everyone": request.user.is_admin,
            "more": len(batches) == HISTORY,
        },
    )


# ---- mapping, preview, confirm ---------------------------------------------------------------


def mapping(request, pk):
    upload = _own_upload(request, pk)
    try:
        table = _table(upload)
    except Unreadable as unreadable:
        return _start_again(request, unreadable)
    kind = kinds.get(upload.kind)
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        table=table,
        mapping=_mapping(request, upload, table),
        targets=kind.targets(request.user),
        kind=kind,
        initial={"on_match": upload.on_match},
    )
    if request.method == "POST" and form.is_valid():
        upload.mapping = form.mapping.to_dict()
        upload.on_match = form.cleaned_data["on_match"]
        upload.save(update_fields=["mapping", "on_match"])
        services.remember_mapping(request.user, form.mapping, upload.kind)
        return redirect("imports:preview", pk=upload.pk)
    samples = _samples(table)
    labelled = _labelled(table)
    columns = [
        {
            "field": field,
            "samples": samples[index],
            "labels": table.headers[labelled[index]] if index in labelled else "",
        }
        for index, field in form.columns()
    ]
    return render(
        request,
        "imports/mapping.html",
        {
            "title": f"Import {kind.plural}: columns",
            "upload": upload,
            "kind": kind,
            "form": form,
            "columns": columns,
            "record_name": table.record_name,
            "rows": len(table.rows),
        },
    )


def _labelled(table) -> dict[int, int]:
    """Google's "E-mail 1 - Label" column -> the "E-mail 1 - Value" column it labels: it is
    read with that column, so the mapping page says so rather than offer it a field."""
    pairs = Mapping(list(table.headers), [None] * len(table.headers)).label_columns
    return {label: value for value, label in pairs.items()}


def _samples(table) -> list[list[str]]:
    """Up to SAMPLES non-blank values of each column, from the first rows."""
    found: list[list[str]] = [[] for _ in table.headers]
    for row in table.rows[:SAMPLE_ROWS]:
        for index, cell in enumerate(row.cells[: len(found)]):
            if cell.strip() and len(found[index]) < SAMPLES:
                found[index].append(cell)
    return found


@require_safe
def preview(request, pk):
    """What the import would do, row by row; nothing is written (a dry run)."""
    upload = _own_upload(request, pk)
    try:
        table = _table(upload)
    except Unreadable as unreadable:
        return _start_again(request, unreadable)
    kind = kinds.get(upload.kind)
    result = services.import_records(
        kind=kind.key,
        user=request.user,
        table=table,
        filename=upload.filename,
        mapping=_mapping(request, upload, table),
        on_match=upload.on_match,
        dry_run=True,
    )
    # Errors first (what the person has to fix), then the file's order.
    outcomes = sorted(result.plan.outcomes, key=lambda o: (o.status != "error", o.row))
    return render(
        request,
        "imports/preview.html",
        {
            "title": f"Import {kind.plural}: preview",
            "upload": upload,
            "kind": kind,
            "result": result,
            "counts": result.counts,
            "outcomes": outcomes[:PREVIEW_ROWS],
            "cut": max(0, len(outcomes) - PREVIEW_ROWS),
            "record_name": result.record_name,
            "on_match": ImportBatch.OnMatch(upload.on_match).label,
        },
    )


@require_POST
def confirm(request, pk):
    """The import itself, planned afresh. The upload is locked and deleted in the same
    transaction, so a second click (or a second tab) finds no upload: 404, never a second
    import of the same file."""
    with transaction.atomic():
        upload = get_object_or_404(
            ImportUpload.objects.select_for_update(), pk=pk, user=request.user
        )
        try:
            table = _table(upload)
        except Unreadable as unreadable:
            return _start_again(request, unreadable)
        result = services.import_records(
            kind=upload.kind,
            user=request.user,
            table=table,
            filename=upload.filename,
            mapping=_mapping(request, upload, table),
            on_match=upload.on_match,
        )
        upload.delete()
    messages.success(request, f"Imported: {summary(result.counts)}.")
    return redirect("imports:batch", pk=result.batch.pk)


# ---- a batch and its undo --------------------------------------------------------------------


@require_safe
def batch(request, pk):
    found = _batch(request, pk)
    return render(
        request,
        "imports/batch.html",
        {
            "title": f"Import {found.pk}",
            "batch": found,
            "kind": kinds.get(found.kind),
            "record_name": _record_name(found),
            "result": found.undo_result or {},
        },
    )


@require_POST
def undo(request, pk):
    """Undo from the batch's page or the history ("next" says which, from a fixed choice)."""
    found = _batch(request, pk)
    try:
        result = services.undo_import(batch=found, by=request.user)
    except services.UndoRefused:
        found.refresh_from_db()
        when = formatting.datetime(found.undone_at)
        messages.info(request, f"Import {found.pk} was already undone on {when}.")
    else:
        text = f"Import {found.pk} undone: {result.restored} restored, {result.removed} removed."
        if result.left:
            text += " Changed since the import, left as they are: " + ", ".join(result.left) + "."
        (messages.warning if result.left else messages.success)(request, text)
    if request.POST.get("next") == "history":
        return redirect("imports:contacts")
    return redirect("imports:batch", pk=found.pk)
