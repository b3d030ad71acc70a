"""Exporting a list exactly as its user sees it (issue 16, points 3 and 4): the page's filters,
sort and shown columns (custom ones by label), streamed, formula-safe; and `manage.py export`,
which gives the same file as the page's link."""

from __future__ import annotations

import csv
import html
import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from contacts.tables import HIDDEN_COMPANY
from crm.models import CustomField
from crm.spreadsheet import safe
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]


class _TableText(HTMLParser):
    """The header and body cells of a list page's table, as text (what a person reads)."""

    def __init__(self):
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if tag == "th":
                self.headers.append(text.rstrip(" ↑↓"))  # the sorted column's arrow
            elif self._in_body:
                self.rows[-1].append(text)
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_table(response) -> _TableText:
    parser = _TableText()
    parser.feed(response.content.decode())
    return parser


def export_link(response, label: str) -> str:
    """The page's own "Export this list" link for a format, as a person would follow it."""
    body = response.content.decode()
    found = re.search(r'<a href="([^"]+)">' + re.escape(label) + "</a>", body)
    assert found, f"no {label} export link on the page"
    return html.unescape(found.group(1))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8"))))


def xlsx_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ---- the list as carla sees it ------------------------------------------------------------------


@pytest.fixture
def south_book(org):
    """Contacts carla (a rep of South) sees and does not see, in and out of the Alps."""
    CustomField.objects.create(
        model="contact",
        key="region",
        label="Region",
        type="choice",
        choices=["Alps", "Baltic"],
        filterable=True,
        in_list=True,
    )
    CustomField.objects.create(model="contact", key="tier", label="Tier", type="text")
    carla, sam, ana = org["carla"], org["sam"], org["ana"]
    south = CompanyFactory(name="Südhang AG", owner=carla)
    north = CompanyFactory(name="Nordsecret GmbH", owner=ana)
    alps = {"region": "Alps"}
    return {
        "shown": [
            ContactFactory(
                first_name="Carlo",
                last_name="Alpha",
                email="a@south.example",
                company=south,
                owner=carla,
                custom=alps | {"tier": "gold"},
            ),
            ContactFactory(
                first_name="Cora",
                last_name="Zeta",
                email="z@south.example",
                phone="+49 89 123456",
                owner=sam,
                custom=alps,
            ),
            # Her contact at a company of North's: she sees the contact, not the company.
            ContactFactory(
                first_name="Cleo",
                last_name="Mitte",
                email="m@south.example",
                company=north,
                owner=carla,
                custom=alps | {"tier": "silver"},
            ),
        ],
        "filtered_out": ContactFactory(first_name="Bea", owner=carla, custom={"region": "Baltic"}),
        "hidden": ContactFactory(first_name="Nora", last_name="Northonly", owner=ana, custom=alps),
    }


# The column chooser as carla posts it: every built-in column, and both custom fields.
SHOWN = ["company", "email", "phone", "owner", "created_at", "custom_region", "custom_tier"]
QUERY = {"custom_region": "Alps", "sort": "-email", "cols_set": "1", "cols": SHOWN}


def test_carlas_filtered_sorted_export_is_exactly_her_table(south_book, client_for):
    client = client_for("carla")
    page = client.get(reverse("contacts:list"), QUERY)
    table = page_table(page)

    response = client.get(export_link(page, "CSV"))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="huddle-contacts.csv"'
    header, *rows = csv_rows(response)
    assert header == table.headers
    assert header == ["Name", "Company", "E-mail", "Phone", "Owner", "Added", "Region", "Tier"]
    # As written to a file: the page's "—" and its placeholder for a company she may not see
    # are empty cells, and text a spreadsheet would run (her phone's "+49…") is made safe.
    blank = ("—", HIDDEN_COMPANY)
    assert rows == [["" if cell in blank else safe(cell) for cell in row] for row in table.rows]
    assert rows[0][3] == "'+49 89 123456"
    assert [row[0] for row in rows] == ["Cora Zeta", "Cleo Mitte", "Carlo Alpha"]  # -email
    assert rows[1][1] == "" and rows[2][1] == "Südhang AG"
    text = str(rows)
    assert "Northonly" not in text and "Nordsecret" not in text and "Bea" not in text


def test_the_xlsx_export_holds_the_same_cells_as_the_csv(south_book, client_for):
    client = client_for("carla")
    page = client.get(reverse("contacts:list"), QUERY)
    csv_file = csv_rows(client.get(export_link(page, "CSV")))

    response = client.get(export_link(page, "XLSX"))

    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="huddle-contacts.xlsx"'
    sheet = xlsx_rows(response.getvalue())
    assert [["" if cell is None else cell for cell in row] for row in sheet] == csv_file
    assert sheet[0] == page_table(page).headers


def test_the_export_remembers_the_columns_chosen_on_the_page(south_book, client_for):
    client = client_for("carla")
    page = client.get(reverse("contacts:list"), {"cols_set": "1", "cols": ["email", "custom_tier"]})

    header = csv_rows(client.get(reverse("contacts:export", args=["csv"])))[0]  # no query

    assert header == page_table(page).headers
    assert header[-1] == "Tier" and "Region" not in header and "E-mail" in header


def test_a_deal_export_keeps_amounts_numbers_and_the_deal_tables_columns(org, client_for):
    DealFactory(title="Alpenblick", owner=org["carla"])
    client = client_for("carla")
    page = client.get(reverse("deals:list"))

    sheet = xlsx_rows(client.get(export_link(page, "XLSX")).getvalue())

    assert sheet[0] == page_table(page).headers
    assert sheet[0][:4] == ["Title", "Company", "Stage", "Amount"]
    assert sheet[1][0] == "Alpenblick" and sheet[1][3] == 10000
    assert "vCard" not in page.content.decode()  # only contacts are people


def test_the_activity_list_exports_without_a_deal_she_may_not_see(org, client_for):
    secret = DealFactory(title="Nordsecret deal", owner=org["ana"])
    ActivityFactory(subject="Call about it", owner=org["carla"], deal=secret)
    client = client_for("carla")
    page = client.get(reverse("contacts:activity-list"))

    header, row = csv_rows(client.get(export_link(page, "CSV")))

    assert header == page_table(page).headers
    assert row[header.index("Subject")] == "Call about it" and row[header.index("Deal")] == ""
    assert row[header.index("Kind")] == "Call"


# ---- formulas -----------------------------------------------------------------------------------


@pytest.fixture
def formulas(org):
    CustomField.objects.create(model="contact", key="note", label="Note", type="text", in_list=True)
    CustomField.objects.create(
        model="contact", key="margin", label="Margin", type="number", in_list=True
    )
    for n, start in enumerate(FORMULA_STARTS):
        ContactFactory(
            last_name=f"F{n:02d}",
            owner=org["carla"],
            custom={"note": f"{start}HYPERLINK(1)", "margin": -5},
        )
    ContactFactory(last_name="Z", owner=org["carla"], custom={"note": "-5", "margin": 2.5})


def test_every_formula_start_reaches_the_csv_as_text_and_numbers_stay_numbers(formulas, client_for):
    header, *rows = csv_rows(client_for("carla").get(reverse("contacts:export", args=["csv"])))

    note, margin = header.index("Note"), header.index("Margin")
    assert [row[note] for row in rows] == [f"'{s}HYPERLINK(1)" for s in FORMULA_STARTS] + ["'-5"]
    assert [row[margin] for row in rows] == ["-5"] * len(FORMULA_STARTS) + ["2.5"]


def test_every_formula_start_reaches_the_workbook_as_text(formulas, client_for):
    response = client_for("carla").get(reverse("contacts:export", args=["xlsx"]))

    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    header = [cell.value for cell in sheet[1]]
    notes = [row[header.index("Note")] for row in sheet.iter_rows(min_row=2)]
    margins = [row[header.index("Margin")] for row in sheet.iter_rows(min_row=2)]
    # XML reads a stored carriage return back as a line feed: the apostrophe is what counts.
    expected = [f"'{s}HYPERLINK(1)".replace("\r", "\n") for s in FORMULA_STARTS] + ["'-5"]
    assert [c.value for c in notes] == expected
    assert {c.data_type for c in notes} == {"s"}  # no formula ("f") among them
    assert [c.value for c in margins] == [-5] * len(FORMULA_STARTS) + [2.5]
    assert {c.data_type for c in margins} == {"n"}


def test_a_control_character_in_a_value_does_not_break_the_workbook(org, client_for):
    CustomField.objects.create(model="contact", key="note", label="Note", type="text", in_list=True)
    ContactFactory(owner=org["carla"], custom={"note": "\x0b=1+1"})

    response = client_for("carla").get(reverse("contacts:export", args=["xlsx"]))

    assert xlsx_rows(response.getvalue())[1][-1] == "'=1+1"


# ---- streaming and query counts ------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_an_export_reads_a_constant_number_of_queries(
    fmt, count, org, client_for, django_assert_num_queries
):
    CustomField.objects.create(
        model="contact", key="region", label="Region", type="text", in_list=True
    )
    owners = [org["carla"], org["sam"]]
    company = CompanyFactory(owner=org["carla"])
    for n in range(count):
        ContactFactory(owner=owners[n % 2], company=company, custom={"region": f"R{n}"})
    client = client_for("carla")
    client.get(reverse("contacts:list"))  # the session exists, as for anyone on the page

    with django_assert_num_queries(2):  # the user; the rows, fetched as the file is written
        response = client.get(reverse("contacts:export", args=[fmt]))
        content = response.getvalue()

    assert response.streaming
    if fmt == "csv":
        assert len(csv_rows_of(content)) == count + 1
    elif fmt == "xlsx":
        assert len(xlsx_rows(content)) == count + 1
    else:
        assert content.count(b"BEGIN:VCARD\r\n") == count


def csv_rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def test_an_unknown_format_is_no_page(org, client_for):
    client = client_for("carla")
    assert client.get("/deals/export.vcf").status_code == 404
    assert client.get("/activities/export.pdf").status_code == 404


# ---- manage.py export ---------------------------------------------------------------------------


def run_export(*args) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_csv_the_link_gives(south_book, client_for):
    query = {"custom_region": "Alps", "sort": "-email"}
    from_link = client_for("carla").get(reverse("contacts:export", args=["csv"]), query)

    printed = run_export(
        "contacts", "--user", "carla", "--format", "csv", "--filter", "custom_region=Alps",
        "--sort=-email",
    )  # fmt: skip

    assert printed == from_link.getvalue().decode()
    assert printed.splitlines()[1].startswith("Cora Zeta,")


def test_the_command_shows_the_columns_asked_for_as_the_page_does(south_book):
    printed = run_export(
        "contacts", "--user", "carla", "--format", "csv",
        "--filter", "cols_set=1", "--filter", "cols=email", "--filter", "cols=custom_tier",
    )  # fmt: skip

    header = printed.splitlines()[0].split(",")
    assert header[0] == "Name" and "E-mail" in header and header[-1] == "Tier"
    assert "Region" not in header


def test_the_command_writes_the_workbook_the_link_gives(south_book, client_for, tmp_path):
    from_link = client_for("carla").get(reverse("contacts:export", args=["xlsx"]))
    path = tmp_path / "contacts.xlsx"

    run_export("contacts", "--user", "carla", "--format", "xlsx", "--output", str(path))

    assert xlsx_rows(path.read_bytes()) == xlsx_rows(from_link.getvalue())
    assert len(xlsx_rows(path.read_bytes())) == 5  # four she sees, the header


def test_the_command_writes_the_vcards_the_link_gives(south_book, client_for):
    from_link = client_for("carla").get(reverse("contacts:export", args=["vcf"]))

    printed = run_export("contacts", "--user", "carla", "--format", "vcf")

    assert printed == from_link.getvalue().decode()
    assert printed.count("BEGIN:VCARD") == 4 and "Northonly" not in printed


def test_the_command_exports_deals_and_activities_as_the_user_sees_them(org):
    DealFactory(title="Südwest", owner=org["carla"])
    DealFactory(title="Nordsecret", owner=org["ana"])
    ActivityFactory(subject="Südcall", owner=org["sam"])

    deals = run_export("deals", "--user", "carla", "--format", "csv")
    activities = run_export("activities", "--user", "carla", "--format", "csv")

    assert "Südwest" in deals and "Nordsecret" not in deals
    assert activities.splitlines()[0] == "When,Kind,Subject,Company,Deal,Status,Owner"
    assert "Südcall" in activities


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["people", "--format", "csv"], "No list 'people': export one of"),
        (["deals", "--format", "vcf"], "Export deals as csv, xlsx."),
        (["contacts", "--format", "pdf"], "Export contacts as csv, xlsx, vcf."),
        (["contacts", "--format", "xlsx"], "XLSX file is binary: write it to a file with --output"),
        (["contacts", "--format", "csv", "--filter", "region"], "'region': write it as NAME=VALUE"),
        (["contacts", "--format", "csv", "--filter", "colour=red"], "Unknown filter 'colour'"),
        (
            ["deals", "--format", "csv", "--filter", "owner=abc"],
            "These filters are not valid: owner",
        ),
        (["deals", "--format", "csv", "--sort", "owner"], "deals cannot be sorted by 'owner'"),
        (["contacts", "--format", "csv", "--output", "/no/such/dir/x.csv"], "cannot be written"),
    ],
)
def test_the_command_refuses_bad_input_by_name(args, message, org):
    with pytest.raises(CommandError, match=re.escape(message)):
        run_export(*args, "--user", "carla")


@pytest.mark.parametrize("username", ["nobody", "inactive"])
def test_the_command_refuses_an_unknown_or_inactive_user(username, org):
    org["ben"].username, org["ben"].is_active = "inactive", False
    org["ben"].save()

    with pytest.raises(CommandError, match=f"No active user '{username}'"):
        run_export("contacts", "--user", username, "--format", "csv")
