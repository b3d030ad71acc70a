"""The import pages' forms: they parse what the person sent (the file and what it holds, the
column choices); imports/services.py plans and writes."""

from __future__ import annotations

from django import forms

from contacts.importing.files import MAX_BYTES, read_table
from contacts.importing.mapping import NAME_TARGETS, Mapping
from contacts.importing.table import ImportFileError, Table
from imports import kinds
from imports.models import ImportBatch

ACCEPT = ".csv,.tsv,.txt,.xlsx,.vcf"
NOT_IMPORTED = "— not imported —"
ON_MATCH = "A row that matches a record already in Huddle"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="The file holds",
        choices=[(kind.key, kind.label) for kind in kinds.KINDS.values()],
        initial="contact",
        required=False,  # contacts, as before there was a choice
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="File to import",
        allow_empty_file=True,  # the reader says "The file is empty (0 bytes)."
        help_text="CSV or text (Google, Outlook, Excel), an Excel workbook (.xlsx), or vCards "
        f"(.vcf) of contacts; up to {MAX_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    on_match = forms.ChoiceField(
        label=ON_MATCH,
        choices=ImportBatch.OnMatch.choices,
        initial=ImportBatch.OnMatch.UPDATE,
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        """Read the file here, so a file Huddle cannot read is an error of this field (with the
        reader's message) and nothing is stored. The size is checked before reading it into
        memory."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; Huddle imports files of up "
                f"to {MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
            )
        self.data_bytes = upload.read()
        try:
            self.table = read_table(self.data_bytes, upload.name)
        except ImportFileError as error:
            raise forms.ValidationError(error.message) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        cleaned["kind"] = cleaned.get("kind") or "contact"
        if "file" in cleaned:
            try:
                kinds.get(cleaned["kind"]).check(self.table)
            except ImportFileError as error:
                self.add_error("file", error.message)
        return cleaned


def target_choices(targets) -> list[tuple[str, str]]:
    """What a column may feed: nothing, the built-in and custom fields, and for people the two
    name helpers (a full name split in two; a middle name added to the first name)."""
    keys = {target.key for target in targets}
    extra = [t for t in NAME_TARGETS if t.key not in keys] if "first_name" in keys else []
    return [("", NOT_IMPORTED)] + [(t.key, t.label) for t in (*targets, *extra)]


class MappingForm(forms.Form):
    """One select per column of the file (`column_<index>`: headers may repeat or be blank),
    and what a matching row does. A forged target is an invalid choice like any other."""

    on_match = forms.ChoiceField(label=ON_MATCH, choices=ImportBatch.OnMatch.choices)

    def __init__(self, *args, table: Table, mapping: Mapping, targets, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.headers = list(table.headers)
        choices = target_choices(targets)
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header.strip() or f"Column {index + 1} (no header)",
                choices=choices,
                required=False,
                initial=mapping.targets[index] or "",
            )
        # The select for on_match comes after the columns.
        self.order_fields([f"column_{index}" for index in range(len(self.headers))])

    def columns(self):
        """(index, bound field) per column of the file, in the file's order."""
        return [(index, self[f"column_{index}"]) for index in range(len(self.headers))]

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"column_{index}") or None for index in range(len(self.headers))]
        if not self.errors and not set(chosen) & set(self.kind.required):
            raise forms.ValidationError(self.kind.required_message)
        self.mapping = Mapping(list(self.headers), chosen)
        return cleaned
