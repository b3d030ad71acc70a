"""From an uploaded file's bytes to a `Table`: CSV/TSV/TXT, XLSX or vCard, or a clear refusal.

What a file is decides how it is read, its name only breaks ties: a vCard saved as .csv is read
as vCards, a ZIP is opened as a workbook only when it holds one, and a .vcf without a single
BEGIN:VCARD line is refused rather than read as something else.

- Text is decoded in a fixed order: a UTF-8 BOM, a UTF-16 (or UTF-32) BOM, strict UTF-8, else
  Windows-1252. Guessing libraries are not asked: charset-normalizer reads German Windows-1252
  exports as Windows-1250 ("Müller" comes out as "Müller" only by luck), and a file that is
  valid UTF-8 is, in practice, UTF-8.
- The delimiter is the one of `,` `;` tab `|` that occurs most often (outside quotes) in the
  header line, and nowhere else: csv.Sniffer reads whole files and misfires on a comma in a note
  or a semicolon in an address. Excel's `sep=;` first line is honoured and not counted as a row.
- XLSX: the first sheet, through openpyxl in read-only mode (formulas as their last computed
  value, as Excel showed them). Numbers Excel stores as floats are written without a trailing
  ".0" (a phone 4915112345678 stays 4915112345678), dates as ISO. Rows below the last value are
  not read at all: a sheet formatted down to row 1,048,576 would otherwise take minutes in
  openpyxl, which parses every styled empty cell.
- Refused whole, with a message for the person who uploaded it (`ImportFileError`): 0 bytes, more
  than `MAX_BYTES` or `MAX_ROWS`, binary files (PDF, images, old .xls, archives, anything with
  control bytes), HTML pages (also when named .csv or .vcf), a ZIP that is not a workbook, a
  damaged workbook, a .vcf without cards, a cell too long to be a contact's.
- A file with a header and no rows is not an error: it is a table without rows, and imports
  nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath
from xml.etree import ElementTree

import openpyxl

from contacts.importing.table import ImportFileError, Row, Table
from contacts.importing.vcard import read_vcards

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 1_000
# The decompressed first sheet of a workbook: what a 20 MB upload may unpack to (a ZIP bomb is
# refused before openpyxl sees it).
MAX_SHEET_BYTES = 400 * 1024 * 1024

DELIMITERS = (",", ";", "\t", "|")  # in this order when two occur equally often
_SAMPLE = 64 * 1024  # bytes looked at to tell text from binary
_SEP_LINE = re.compile(r"^sep=(.)\r?\n", re.IGNORECASE)
_HTML_START = ("<!doctype html", "<html", "<head", "<body", "<!--", "<meta", "<table", "<div")
_SUPPORTED = "Upload a CSV, TSV or TXT file, an Excel workbook (.xlsx) or vCards (.vcf)."
_MAGIC = (
    (b"%PDF", "This is a PDF document, not a list of contacts. " + _SUPPORTED),
    (b"\x89PNG", "This is an image (PNG), not a list of contacts. " + _SUPPORTED),
    (b"\xff\xd8\xff", "This is an image (JPEG), not a list of contacts. " + _SUPPORTED),
    (b"GIF8", "This is an image (GIF), not a list of contacts. " + _SUPPORTED),
    (
        b"\xd0\xcf\x11\xe0",
        "This is an old-style Office file (.xls, Excel 97–2003). Open it in Excel, save it as "
        ".xlsx or as CSV UTF-8, and upload that.",
    ),
    (b"\x1f\x8b", "This is a compressed archive (gzip). Unpack it and upload the file inside."),
    (b"Rar!", "This is a compressed archive (RAR). Unpack it and upload the file inside."),
    (b"7z\xbc\xaf", "This is a compressed archive (7-Zip). Unpack it and upload the file inside."),
)


def read_table(data: bytes, filename: str) -> Table:
    """The file's header and rows, read by what the file is; `ImportFileError` if it cannot be
    read as any of the supported kinds."""
    if not data:
        raise ImportFileError("The file is empty (0 bytes).")
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; Huddle imports files of up to "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    extension = PurePosixPath(filename.replace("\\", "/").lower()).suffix.lstrip(".")
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise ImportFileError(message)
    if data.startswith(b"PK\x03\x04"):
        return _read_zip(data)
    if extension in ("xlsx", "xlsm"):
        raise ImportFileError(
            "This file is named .xlsx but is not an Excel workbook. " + _SUPPORTED
        )
    text = decode(data)
    head = text[:4096].lstrip().lower()
    if head.startswith("begin:vcard") or (
        extension in ("vcf", "vcard") and re.search(r"^begin:vcard", text, re.I | re.M)
    ):
        return read_vcards(text)
    if head.startswith(_HTML_START) or (head.startswith("<?xml") and "<html" in head):
        raise ImportFileError(
            "This is a web page (HTML), not an export file. Download the export itself "
            "(CSV, XLSX or vCard) and upload that."
        )
    if extension in ("vcf", "vcard"):
        raise ImportFileError(
            "This file has no contact card in it (no BEGIN:VCARD line), so it is not a vCard "
            "file. " + _SUPPORTED
        )
    if head.startswith("<?xml"):
        raise ImportFileError("This is an XML file. " + _SUPPORTED)
    return read_csv(text)


def decode(data: bytes) -> str:
    """Text in the order the module docstring gives; binary data is refused here."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _text(data[3:].decode("utf-8"))
        except UnicodeDecodeError:
            return _text(data[3:].decode("cp1252", errors="replace"))
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _text(data.decode(codec))
            except UnicodeDecodeError:
                raise ImportFileError(
                    "The file says it is UTF-16 text but is damaged. Export it again."
                ) from None
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        if sample.count(b"\x00") * 3 > len(sample):
            raise ImportFileError(
                "This looks like UTF-16 text without a byte order mark, which cannot be read "
                "reliably. Save it as CSV UTF-8 and upload that."
            )
        raise ImportFileError("This file is not text. " + _SUPPORTED)
    try:
        return _text(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _text(data.decode("cp1252", errors="replace"))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _text(text: str) -> str:
    """Decoded text, unless it is mostly control characters (a binary file that happened to
    decode): more than one in a hundred is not something a person typed."""
    sample = text[:_SAMPLE]
    if len(_CONTROL.findall(sample)) * 100 > len(sample):
        raise ImportFileError("This file is not text. " + _SUPPORTED)
    return text


def header_delimiter(line: str) -> str:
    """The delimiter of a header line: the candidate that occurs most often outside quotes
    (`,` when none does: a file with one column)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line[:_SAMPLE]:
        if char == '"':
            quoted = not quoted
        elif char in ("\n", "\r") and not quoted:
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals
    return best if counts[best] else ","


def read_csv(text: str) -> Table:
    """A delimited text file: the first non-blank record is the header."""
    match = _SEP_LINE.match(text)
    if match:
        delimiter, text = match.group(1), text[match.end() :]
    else:
        delimiter = header_delimiter(text.lstrip("\r\n"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[Row] = []
    number = 0
    try:
        for record in reader:
            number += 1
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if headers is None:
                if len(cells) > MAX_COLUMNS:
                    raise ImportFileError(
                        f"The header has {len(cells):,} columns; Huddle reads files with up to "
                        f"{MAX_COLUMNS:,}. This does not look like a list of contacts."
                    )
                headers = cells
                continue
            if len(cells) < len(headers):
                cells += [""] * (len(headers) - len(cells))
            rows.append(Row(number, cells))
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
    except csv.Error as error:
        raise ImportFileError(_csv_error(number + 1, error)) from None
    if headers is None:
        raise ImportFileError("The file has no header row and no rows: there is nothing in it.")
    return Table(headers, rows, "csv")


def _csv_error(number: int, error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"Row {number} has a cell longer than {csv.field_size_limit():,} characters; this "
            "does not look like a list of contacts."
        )
    return f"Row {number} could not be read ({error})."


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"The file has more than {MAX_ROWS:,} rows; Huddle imports up to {MAX_ROWS:,} at a "
        "time. Split it into smaller files."
    )


def _read_zip(data: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError):
        raise ImportFileError(
            "This file starts like a ZIP archive or an Excel workbook but is damaged. Save or "
            "export it again."
        ) from None
    if "xl/workbook.xml" in names:
        return read_xlsx(data, archive)
    if b"opendocument.spreadsheet" in mimetype:
        raise ImportFileError(
            "This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or as CSV UTF-8 and "
            "upload that."
        )
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise ImportFileError("This is a text document, not a list of contacts. " + _SUPPORTED)
    raise ImportFileError(
        "This is a ZIP archive, not a spreadsheet. Unpack it and upload the CSV, XLSX or vCard "
        "file inside."
    )


def read_xlsx(data: bytes, archive: zipfile.ZipFile | None = None) -> Table:
    """The first sheet of a workbook; its first non-blank row is the header."""
    archive = archive or zipfile.ZipFile(io.BytesIO(data))
    last_row = _last_value_row(archive)
    damaged = ImportFileError(
        "This Excel workbook could not be read; it may be damaged. Open it in Excel, save it "
        "again (or as CSV UTF-8) and upload that."
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises anything from KeyError to its own errors on bad input
        raise damaged from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("This workbook has no sheet with data in it.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a stored dimension of A1:XFD1048576 would pad every row
        headers: list[str] | None = None
        rows: list[Row] = []
        if last_row != 0:
            for number, values in enumerate(
                sheet.iter_rows(max_row=last_row, values_only=True), start=1
            ):
                cells = [cell_text(value) for value in values]
                if not any(cells):
                    continue
                if headers is None:
                    while cells and not cells[-1]:
                        cells.pop()
                    headers = cells
                    continue
                if len(cells) < len(headers):
                    cells += [""] * (len(headers) - len(cells))
                rows.append(Row(number, cells))
                if len(rows) > MAX_ROWS:
                    raise _too_many_rows()
    except ImportFileError:
        raise
    except Exception:  # a damaged sheet fails while it is read, not when it is opened
        raise damaged from None
    finally:
        workbook.close()
    if headers is None:
        raise ImportFileError("The first sheet of this workbook is empty.")
    return Table(headers, rows, "xlsx")


def cell_text(value) -> str:
    """A cell as the text a person saw in it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


_ROW_OR_VALUE = re.compile(rb"<(?:\w+:)?(row)\b[^>]*>|<(?:\w+:)?(?:v|is)>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_RELS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def _last_value_row(archive: zipfile.ZipFile) -> int | None:
    """The number of the last row of the first sheet that holds a value (0: none), found in
    the sheet's XML without parsing its cells; None when the sheet cannot be found this way
    (openpyxl then reads every row)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        first = workbook.find("{*}sheets/{*}sheet")
        if first is None:
            return None
        wanted = first.get(f"{{{_RELS}}}id") or first.get(f"{{{_STRICT_RELS}}}id")
        target = next((r.get("Target", "") for r in relations if r.get("Id") == wanted), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        size = archive.getinfo(path).file_size
        source = archive.open(path)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return None
    if size > MAX_SHEET_BYTES:
        raise ImportFileError(
            "The first sheet of this workbook is too large to import. Delete the empty rows "
            "and columns around the data, or save it as CSV."
        )
    row = last = 0
    carry = b""
    try:
        with source:
            while True:
                chunk = source.read(1 << 20)
                buffer = carry + chunk
                cut = max(buffer.rfind(b"<"), 0) if chunk else len(buffer)
                buffer, carry = buffer[:cut], buffer[cut:]
                for match in _ROW_OR_VALUE.finditer(buffer):
                    if match.group(1):
                        number = _ROW_NUMBER.search(match.group())
                        row = int(number.group(1)) if number else row + 1
                    else:
                        last = row
                if not chunk:
                    return last
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return None  # openpyxl will find the same damage and say so
