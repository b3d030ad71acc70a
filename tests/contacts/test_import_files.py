"""contacts/importing/files.py: upload bytes to a table, by what the file is, or a refusal that
says why. The files in import_files/ are shaped like the real exports (see its README)."""

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from contacts.importing import files
from contacts.importing.files import ImportFileError, cell_text, header_delimiter, read_table

FILES = Path(__file__).parent / "import_files"


def read(name: str):
    return read_table((FILES / name).read_bytes(), name)


def refused(data: bytes, name: str) -> str:
    with pytest.raises(ImportFileError) as error:
        read_table(data, name)
    return error.value.message


def by_header(table, number):
    row = next(row for row in table.rows if row.number == number)
    return {h: c for h, c in zip(table.headers, row.cells, strict=False) if c}


def test_a_google_contacts_export_is_read_with_its_headers_and_row_numbers():
    table = read("google_contacts.csv")
    assert table.kind == "csv"
    assert len(table.headers) == 38
    assert table.headers[:3] == ["First Name", "Middle Name", "Last Name"]
    assert table.headers[17:19] == ["E-mail 1 - Label", "E-mail 1 - Value"]
    assert [row.number for row in table.rows] == [2, 3, 4, 5, 6]
    anna = by_header(table, 2)
    assert anna["Notes"] == "Met at the trade fair.\nPrefers e-mail."  # one row, not two
    assert anna["E-mail 2 - Value"] == "anna@schmidt.example ::: anna.maria@schmidt.example"
    assert anna["Address 1 - Formatted"] == "Hauptstraße 1\n10115 Berlin\nDE"
    assert by_header(table, 4) == {
        "Organization Name": "Café Zentral",
        "Labels": "* myContacts",
        "E-mail 1 - Label": "Work",
        "E-mail 1 - Value": "info@cafe-zentral.example",
        "Phone 1 - Label": "Main",
        "Phone 1 - Value": "+43 1 5333764",
    }


def test_formula_looking_cells_are_read_verbatim():
    chloe = by_header(read("google_contacts.csv"), 6)
    assert chloe["Notes"] == '=HYPERLINK("https://evil.example","click")'
    assert chloe["Phone 1 - Value"] == "@SUM(1+1)"


def test_the_legacy_google_export_in_utf16_is_decoded():
    table = read("google_legacy_utf16.csv")
    assert table.headers[:4] == ["Name", "Given Name", "Additional Name", "Family Name"]
    assert table.headers[-2:] == ["Website 1 - Type", "Website 1 - Value"]
    assert [row.number for row in table.rows] == [2, 3, 4]
    assert by_header(table, 2)["Organization 1 - Name"] == "Weiß & Söhne KG"
    assert by_header(table, 3) == {
        "Name": "Zoë Ng",
        "Group Membership": "* myContacts",
        "E-mail 1 - Type": "* Home",
        "E-mail 1 - Value": "zoe@ng.example",
        "Phone 1 - Type": "Home",
        "Phone 1 - Value": "+65 6123 4567",
    }


def test_outlook_for_windows_92_columns_in_windows_1252_are_decoded():
    table = read("outlook_windows.csv")
    assert len(table.headers) == 92
    assert table.headers[:5] == ["Title", "First Name", "Middle Name", "Last Name", "Suffix"]
    jurgen = by_header(table, 2)
    assert jurgen["Last Name"] == "Müller"
    assert jurgen["Business Street"] == "Industriestraße 5"
    assert jurgen["Notes"] == "Kunde seit 2019.\r\nBevorzugt Anrufe vormittags – nie freitags."
    assert jurgen["Birthday"] == "0/0/00"


def test_windows_1252_is_not_mistaken_for_windows_1250():
    table = read_table("Name;Ort\r\nŠimun Žarko “Œuvre”;Zürich\r\n".encode("cp1252"), "a.csv")
    assert table.rows[0].cells == ["Šimun Žarko “Œuvre”", "Zürich"]


def test_an_excel_csv_with_semicolons_and_a_bom_skips_blank_rows_but_keeps_numbers():
    table = read("excel_semicolon_bom.csv")
    assert table.headers == [
        "Vorname", "Nachname", "Firma", "Position", "E-Mail", "Telefon", "Mobil", "Ort",
        "Geburtstag", "Notizen",
    ]  # fmt: skip
    assert [row.number for row in table.rows] == [2, 4, 5]
    assert table.rows[0].cells == [
        "Jörg", "Köhler", "Köhler & Partner; Steuerberater", "Partner", "joerg@koehler.example",
        "0221 123456", "0172 1234567", "Köln", "23.04.1985", "Erstkontakt Messe;\nRückruf im Mai",
    ]  # fmt: skip


def test_excel_unicode_text_is_utf16_with_tabs():
    table = read("excel_unicode_text.txt")
    assert table.headers == [
        "First name",
        "Last name",
        "Company",
        "Email",
        "Phone",
        "Birthday",
        "Notes",
    ]
    assert table.rows[0].cells == [
        "Aiko", "Tanaka", "山田商事", "aiko@yamada.example", "+81 3 1234 5678", "4/23/1985",
        'Tab\tinside and "quotes"',
    ]  # fmt: skip
    assert table.rows[1].number == 3
    assert table.rows[1].cells[2] == "ООО Ромашка"


def test_an_xlsx_reads_the_first_sheet_as_a_person_saw_it():
    table = read("contacts.xlsx")
    assert table.kind == "xlsx"
    assert table.headers == ["Name", "Company", "Email", "Phone", "Birthday", "Deal value", "VIP"]
    assert [row.number for row in table.rows] == [2, 4, 5, 6]  # row 3 blank, 7-39 only coloured
    assert table.rows[0].cells == [
        "Anna Schmidt", "Nordwind GmbH", "anna.schmidt@nordwind.example", "4915112345678",
        "1985-04-23", "1234.5", "TRUE",
    ]  # fmt: skip
    assert table.rows[2].cells == [
        "Dr. Jan van der Berg", "", "jan@vanderberg.example", "3012345", "", "", "",
    ]  # fmt: skip
    assert table.rows[3].cells[:3] == ["=1+1", "", "formula@text.example"]


def _workbook(build) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_formatted_far_below_its_data_is_read_only_to_the_last_value():
    def build(sheet):
        sheet.append(["Name", "Phone"])
        sheet.append(["Anna", "0151 1"])
        fill = PatternFill("solid", fgColor="FFFF00")
        for number in range(3, 5000):
            sheet.cell(row=number, column=1).fill = fill

    data = _workbook(build)
    assert files._last_value_row(zipfile.ZipFile(io.BytesIO(data))) == 2
    table = read_table(data, "big.xlsx")
    assert [(row.number, row.cells) for row in table.rows] == [(2, ["Anna", "0151 1"])]


def test_an_xlsx_with_only_a_header_has_no_rows_and_an_empty_one_is_refused():
    header_only = read_table(_workbook(lambda s: s.append(["Name", "Email"])), "a.xlsx")
    assert (header_only.headers, header_only.rows) == (["Name", "Email"], [])
    assert refused(_workbook(lambda s: None), "empty.xlsx") == (
        "The first sheet of this workbook is empty."
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  Anna ", "Anna"),
        (4915112345678.0, "4915112345678"),
        (1234.5, "1234.5"),
        (0.1, "0.1"),
        (42, "42"),
        (True, "TRUE"),
        (datetime(1985, 4, 23), "1985-04-23"),
        (datetime(2024, 5, 1, 14, 30), "2024-05-01T14:30:00"),
        (date(1990, 1, 2), "1990-01-02"),
    ],
)
def test_a_cell_reads_as_the_text_a_person_saw(value, text):
    assert cell_text(value) == text


def test_a_vcard_is_read_as_one_whatever_its_name():
    table = read_table((FILES / "vcard4.vcf").read_bytes(), "contacts.csv")
    assert table.kind == "vcard"


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("First,Last,Email", ","),
        ("Vorname;Nachname;E-Mail", ";"),
        ("First\tLast\tEmail", "\t"),
        ("First|Last|Email", "|"),
        ('"Last, First";Email;Phone', ";"),  # a comma inside quotes does not count
        ("Name", ","),
        ("Name,Notes\nAnna;Bob;Carl;Dora", ","),  # only the header line counts
    ],
)
def test_the_delimiter_comes_from_the_header_line(line, delimiter):
    assert header_delimiter(line) == delimiter


def test_an_excel_sep_line_sets_the_delimiter_and_is_not_a_row():
    table = read_table(b"sep=;\r\nName;Notes\r\nAnna;a,b\r\n", "a.csv")
    assert table.headers == ["Name", "Notes"]
    assert [(row.number, row.cells) for row in table.rows] == [(2, ["Anna", "a,b"])]


def test_a_short_row_is_padded_to_the_header():
    table = read_table(b"Name,Email,Phone\nAnna\n", "a.csv")
    assert table.rows[0].cells == ["Anna", "", ""]


def test_a_header_only_file_is_a_table_without_rows():
    table = read("header_only.csv")
    assert table.headers == ["First Name", "Last Name", "E-mail Address"]
    assert table.rows == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty (0 bytes)."),
        (
            "binary.csv",
            "This file is not text. Upload a CSV, TSV or TXT file, an Excel workbook (.xlsx) or "
            "vCards (.vcf).",
        ),
        (
            "html_saved_as.vcf",
            "This is a web page (HTML), not an export file. Download the export itself (CSV, "
            "XLSX or vCard) and upload that.",
        ),
        (
            "huge_line.csv",
            "Row 2 has a cell longer than 131,072 characters; this does not look like a list of "
            "contacts.",
        ),
    ],
)
def test_a_hostile_file_is_refused_with_a_clear_message(name, message):
    assert refused((FILES / name).read_bytes(), name) == message


def test_an_html_page_named_csv_is_refused_too():
    page = b"\n  <html><head><title>Sign in</title></head><body>Sign in</body></html>"
    assert refused(page, "contacts.csv").startswith("This is a web page (HTML)")


def test_a_vcf_without_cards_is_refused():
    assert refused(b"Name,Email\nAnna,a@example.com\n", "contacts.vcf") == (
        "This file has no contact card in it (no BEGIN:VCARD line), so it is not a vCard file. "
        "Upload a CSV, TSV or TXT file, an Excel workbook (.xlsx) or vCards (.vcf)."
    )


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("contacts.csv", "Name\nAnna\n")
    assert refused(buffer.getvalue(), "contacts.xlsx") == (
        "This is a ZIP archive, not a spreadsheet. Unpack it and upload the CSV, XLSX or vCard "
        "file inside."
    )


def test_a_damaged_workbook_is_refused():
    data = (FILES / "contacts.xlsx").read_bytes()
    assert refused(data[: len(data) // 2], "contacts.xlsx") == (
        "This file starts like a ZIP archive or an Excel workbook but is damaged. Save or export "
        "it again."
    )


def test_text_named_xlsx_is_refused():
    assert refused(b"Name\nAnna\n", "contacts.xlsx").startswith(
        "This file is named .xlsx but is not an Excel workbook."
    )


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"%PDF-1.7\n...", "This is a PDF document"),
        (b"\x89PNG\r\n\x1a\n...", "This is an image (PNG)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...", "This is an old-style Office file (.xls"),
        ("Name\nAnna\n".encode("utf-16-le"), "This looks like UTF-16 text without a byte order"),
    ],
)
def test_known_kinds_of_wrong_file_are_named(data, start):
    assert refused(data, "contacts.csv").startswith(start)


def test_too_many_rows_or_bytes_are_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 2)
    assert refused(b"Name\nA\nB\nC\n", "a.csv") == (
        "The file has more than 2 rows; Huddle imports up to 2 at a time. Split it into smaller "
        "files."
    )
    monkeypatch.setattr(files, "MAX_BYTES", 10)
    assert refused(b"Name\nAnna Schmidt\n", "a.csv") == (
        "The file is 0.0 MB; Huddle imports files of up to 0 MB. Split it into smaller files."
    )


def test_a_header_with_absurdly_many_columns_is_refused():
    assert refused(b",".join([b"c"] * 1001) + b"\n", "a.csv").startswith(
        "The header has 1,001 columns; Huddle reads files with up to 1,000."
    )
