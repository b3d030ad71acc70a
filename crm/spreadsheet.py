"""CSV and XLSX files, safe to open in a spreadsheet, written a row at a time.

Text that a spreadsheet would run as a formula is prefixed with an apostrophe: a contact named
"=HYPERLINK(…)" must reach the sheet as text. That is text starting with = + - @, a tab or a
carriage return, or with the full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20), which
spreadsheets with East Asian input settings turn into their ASCII forms and then evaluate.
Numbers are never escaped: -5 stays the number -5 (only the text "-5" is prefixed).

Exports are streamed (`Export`): a list of 100,000 contacts never sits in memory as one file.
CSV goes out line by line as the rows are read; XLSX is written by openpyxl's write-only
workbook (one row in memory at a time) into a temporary file that is then streamed.

Reports still build their (small) tables with tablib through `render`.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

import tablib
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Reports' drill-downs stop here; list exports stream and have no cap (see crm/crud.py).
MAX_EXPORT_ROWS = 50_000
CSV_ROWS_PER_CHUNK = 200  # lines sent to the client at once: fewer, larger writes
_SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def safe(value):
    """A cell value a spreadsheet will not evaluate: numbers stay numbers."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def unescape(text: str) -> str:
    """What `safe` escaped, as it was: an import reading Huddle's own export gets "+49 …" back,
    not "'+49 …". Only an apostrophe before a formula start is taken off."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def render(dataset: tablib.Dataset, fmt: str) -> tuple[bytes | str, str]:
    return dataset.export(fmt), FORMATS[fmt]


# ---- streamed exports ---------------------------------------------------------------------------


@dataclass
class Export:
    """One export file, ready to send (`response`) or to write (`write_to`): either a stream of
    byte chunks produced as the rows are read, or a finished temporary file (XLSX)."""

    filename: str
    content_type: str
    chunks: Iterable[bytes] | None = None
    file: BinaryIO | None = None

    def response(self) -> StreamingHttpResponse:
        if self.file is not None:
            return FileResponse(
                self.file,
                as_attachment=True,
                filename=self.filename,
                content_type=self.content_type,
            )
        response = StreamingHttpResponse(self.chunks, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response

    def write_to(self, out: BinaryIO) -> None:
        if self.file is not None:
            with self.file:
                shutil.copyfileobj(self.file, out)
            return
        for chunk in self.chunks:
            out.write(chunk)


def export(headers: list[str], rows: Iterable[list], fmt: str, name: str) -> Export:
    """The rows (lists of cell values, in the order of `headers`) as a CSV or XLSX file named
    huddle-<name>.<fmt>. `rows` is read once, lazily for CSV."""
    filename = f"huddle-{name}.{fmt}"
    if fmt == "csv":
        return Export(filename, FORMATS["csv"], chunks=csv_chunks(headers, rows))
    if fmt == "xlsx":
        return Export(filename, FORMATS["xlsx"], file=xlsx_file(headers, rows, name.capitalize()))
    raise ValueError(f"Export as {' or '.join(FORMATS)}, not {fmt!r}.")


class _Line:
    """What csv.writer writes to: it keeps the text until `take` hands it on."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        text, self.parts = "".join(self.parts), []
        return text.encode("utf-8")


def csv_chunks(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """CSV as it is produced, a few hundred lines per chunk (the cells made safe)."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([safe(h) for h in headers])
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe(v) for v in row])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield line.take()
    yield line.take()


def xlsx_file(headers: list[str], rows: Iterable[list], title: str) -> BinaryIO:
    """An XLSX workbook in an anonymous temporary file (removed when closed), at its start.

    openpyxl cannot write to a socket: an XLSX file is a ZIP archive, whose directory comes
    last and whose parts it writes one after another, seeking back. So the workbook is written
    in openpyxl's write-only mode (each row goes straight to disk: constant memory) and the
    finished file is streamed by FileResponse, which closes (and so removes) it when sent.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_SHEET_TITLE_UNSAFE.sub(" ", title)[:31] or "Export")
    sheet.append([_xlsx_cell(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(file)
    file.seek(0)
    return file


def _xlsx_cell(value):
    """A safe cell without the control characters XML cannot hold (openpyxl refuses them; a
    vertical tab pasted into a note must not make the whole export fail)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # first: what is left is then made safe
    return safe(value)
