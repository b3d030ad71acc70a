"""contacts/importing/mapping.py: which column feeds which field, guessed from real exports'
headers, and what a row becomes through it."""

from pathlib import Path

import pytest

from contacts.importing.files import read_table
from contacts.importing.mapping import (
    CONTACT_ALIASES,
    Handle,
    Mapping,
    Target,
    apply,
    guess_mapping,
    normalize_label,
    signature,
)
from contacts.importing.table import Row, Table

FILES = Path(__file__).parent / "import_files"
BUILT_IN = [
    ("first_name", "First name"), ("last_name", "Last name"), ("company", "Company"),
    ("job_title", "Job title"), ("email", "E-mail"), ("phone", "Phone"), ("city", "City"),
    ("notes", "Notes"), ("birthday", "Birthday"), ("owner", "Owner"),
]  # fmt: skip
TARGETS = [Target(key, label, CONTACT_ALIASES[key]) for key, label in BUILT_IN] + [
    Target("cf_customer_number", "Customer number")
]


def read(name: str):
    return read_table((FILES / name).read_bytes(), name)


def mapped(name: str):
    table = read(name)
    mapping = guess_mapping(table.headers, TARGETS)
    return table, mapping, {row.number: row for row in apply(table, mapping)}


def pairs(mapping):
    return {h: key for h, key in zip(mapping.headers, mapping.targets, strict=True) if key}


def test_the_current_google_export_is_mapped():
    table, mapping, rows = mapped("google_contacts.csv")
    assert pairs(mapping) == {
        "First Name": "first_name",
        "Middle Name": "middle_name",
        "Last Name": "last_name",
        "File As": "name",
        "Organization Name": "company",
        "Organization Title": "job_title",
        "Birthday": "birthday",
        "Notes": "notes",
        "E-mail 1 - Value": "email",
        "E-mail 2 - Value": "email",
        "Phone 1 - Value": "phone",
        "Phone 2 - Value": "phone",
        "Address 1 - City": "city",
    }
    assert "E-mail 1 - Label" not in mapping.unknown  # read with its value column
    assert mapping.unknown_in(table) == [
        "Photo", "Labels", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street",
        "Address 1 - Postal Code", "Address 1 - Country", "Website 1 - Label",
        "Website 1 - Value", "Custom Field 1 - Label", "Custom Field 1 - Value",
    ]  # fmt: skip
    anna = rows[2]
    assert anna.values == {
        "first_name": "Anna Maria",
        "last_name": "Schmidt",
        "company": "Nordwind GmbH",
        "job_title": "Head of Sales",
        "birthday": "1985-04-23",
        "city": "Berlin",
        "notes": "Met at the trade fair.\nPrefers e-mail.",
    }
    assert anna.emails == [
        Handle("work", "anna.schmidt@nordwind.example", True),
        Handle("home", "anna@schmidt.example", False),
        Handle("home", "anna.maria@schmidt.example", False),
    ]
    assert anna.phones == [
        Handle("mobile", "+49 151 12345678", True),
        Handle("work", "+49 30 1234567", False),
    ]
    assert anna.columns["first_name"] == "First Name"
    assert anna.emails[1].column == "E-mail 2 - Value"


def test_a_google_fax_label_is_no_mobile_and_the_starred_label_is_primary():
    ben = mapped("google_contacts.csv")[2][3]
    assert ben.values["birthday"] == "--07-14"
    assert ben.phones == [
        Handle("other", "+44 20 7946 0000", False),
        Handle("mobile", "+44 7700 900123", True),
    ]


def test_an_in_file_duplicate_stays_two_rows_for_the_service_to_match():
    rows = mapped("google_contacts.csv")[2]
    assert [row.values.get("last_name") for row in rows.values()] == [
        "Schmidt", "Okafor", None, "Schmidt", "Dubois",
    ]  # fmt: skip
    assert rows[5].emails == [Handle("work", "Anna.Schmidt@nordwind.example", True)]
    assert rows[4].values == {"company": "Café Zentral"}


def test_one_address_twice_in_a_cell_is_kept_once():
    chloe = mapped("google_contacts.csv")[2][6]
    assert chloe.emails == [Handle("work", "chloe@dubois.example", True)]
    assert chloe.values["notes"] == '=HYPERLINK("https://evil.example","click")'


def test_the_legacy_google_export_fills_names_from_name_when_given_and_family_are_blank():
    table, mapping, rows = mapped("google_legacy_utf16.csv")
    assert pairs(mapping)["Name"] == "name"
    assert pairs(mapping)["E-mail 1 - Value"] == "email"
    assert pairs(mapping)["Organization 1 - Title"] == "job_title"
    assert mapping.unknown_in(table) == [
        "Group Membership",
        "Address 1 - Type",
        "Organization 1 - Type",
    ]
    assert rows[2].values["first_name"] == "Jürgen"  # from Given Name, not split from Name
    assert rows[3].values == {"first_name": "Zoë", "last_name": "Ng"}
    assert rows[3].emails == [Handle("home", "zoe@ng.example", True)]
    assert rows[4].values == {
        "first_name": "Hans-Peter",
        "last_name": "van der Berg",
        "company": "Universiteit Utrecht",
        "job_title": "Hoogleraar",
    }


def test_outlooks_title_is_a_salutation_and_a_bad_date_is_left_to_the_caller():
    table, mapping, rows = mapped("outlook.csv")
    assert "Title" not in pairs(mapping)
    assert mapping.unknown_in(table) == ["Title"]
    assert rows[2].values["job_title"] == "Purchasing Manager"
    assert rows[3].values["birthday"] == "13/13/1985"
    assert rows[3].columns["birthday"] == "Birthday"
    assert rows[2].emails == [
        Handle("other", "maria.garcia@contoso.example", True),
        Handle("other", "maria@garcia.example", False),
    ]
    assert rows[4].phones == [
        Handle("mobile", "+49 160 7654321", False),
        Handle("other", "+49 89 1234567", True),  # "Primary Phone"
    ]


def test_outlook_for_windows_keeps_faxes_last_and_lists_what_it_does_not_import():
    table, mapping, rows = mapped("outlook_windows.csv")
    assert rows[2].phones == [
        Handle("work", "+49 711 123456", True),
        Handle("mobile", "+49 170 1234567", False),
        Handle("other", "+49 711 123457", False),  # Business Fax
    ]
    assert rows[2].values["city"] == "Stuttgart"
    assert rows[3].values["first_name"] == "Sarah Jane"
    assert rows[3].values["city"] == "Dublin"  # Home City, as Business City is blank
    assert mapping.unknown_in(table) == [
        "Title", "Suffix", "Department", "Business Street", "Business Postal Code",
        "Business Country/Region", "Anniversary", "Categories", "E-mail Type",
        "E-mail Display Name", "E-mail 2 Type", "Gender", "Initials", "Priority", "Private",
        "Sensitivity",
    ]  # fmt: skip


def test_title_is_a_job_title_in_a_file_without_outlooks_name_columns():
    huddle_export = ["First name", "Last name", "Company", "Title", "E-mail", "Phone", "Added"]
    mapping = guess_mapping(huddle_export, TARGETS)
    assert mapping.targets == [
        "first_name", "last_name", "company", "job_title", "email", "phone", None,
    ]  # fmt: skip
    assert mapping.unknown == ["Added"]


def test_headers_compare_without_case_spaces_or_punctuation_and_custom_fields_by_label():
    mapping = guess_mapping(["  e_mail ADDRESS ", "FIRST-NAME", "customer NUMBER", ""], TARGETS)
    assert mapping.targets == ["email", "first_name", "cf_customer_number", None]
    assert mapping.unknown == []


def test_an_excel_sheet_in_german_is_mapped():
    table, mapping, rows = mapped("excel_semicolon_bom.csv")
    assert pairs(mapping) == {
        "Vorname": "first_name", "Nachname": "last_name", "Firma": "company",
        "Position": "job_title", "E-Mail": "email", "Telefon": "phone", "Mobil": "phone",
        "Ort": "city", "Geburtstag": "birthday", "Notizen": "notes",
    }  # fmt: skip
    assert rows[2].phones == [
        Handle("other", "0221 123456", True),
        Handle("mobile", "0172 1234567", False),
    ]
    assert rows[4].phones == [Handle("other", "=1+1", True)]


def test_a_name_only_file_is_split_into_first_and_last_name():
    table = Table(
        ["Name", "Email"],
        [
            Row(2, ["Anna Maria Schmidt", "a@example.com"]),
            Row(3, ["Schmidt, Ben", ""]),
            Row(4, ["Madonna", ""]),
            Row(5, ["Sarah O'Neil, PhD", ""]),
        ],
    )
    rows = apply(table, guess_mapping(table.headers, TARGETS))
    assert [(r.values.get("first_name"), r.values.get("last_name")) for r in rows] == [
        ("Anna Maria", "Schmidt"),
        ("Ben", "Schmidt"),
        (None, "Madonna"),
        ("Sarah", "O'Neil"),
    ]
    assert rows[0].columns == {"first_name": "Name", "last_name": "Name"}


def test_several_values_in_a_cell_are_split_blanks_and_repeats_dropped_one_primary():
    table = Table(
        ["E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value", "Mobile"],
        [
            Row(2, ["Home ::: * Work", "a@x.example :::  ::: b@x.example", "", "", ""]),
            Row(
                3, ["", "c@x.example ::: C@X.example", "Work", "+49 151 12345678", "0151 12345678"]
            ),
        ],
    )
    rows = apply(table, guess_mapping(table.headers, TARGETS))
    assert rows[0].emails == [
        Handle("home", "a@x.example", False),
        Handle("work", "b@x.example", True),
    ]
    assert rows[1].emails == [Handle("other", "c@x.example", True)]
    assert rows[1].phones == [Handle("work", "+49 151 12345678", True)]  # same number twice


def test_a_repeat_marked_primary_passes_the_mark_on():
    table = Table(
        ["E-mail", "E-mail (home)"], [Row(2, ["a@x.example", "* A@x.example ::: b@x.example"])]
    )
    rows = apply(table, guess_mapping(table.headers, TARGETS))
    assert rows[0].emails == [
        Handle("other", "a@x.example", True),
        Handle("home", "b@x.example", False),
    ]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("* Work", "work"), ("Business Phone 2", "work"), ("_$!<Work>!$_", "work"),
        ("Büro", "work"), ("Home", "home"), ("Privat", "home"), ("Mobile", "mobile"),
        ("Handy", "mobile"), ("iPhone", "mobile"), ("Car Phone", "mobile"),
        ("Work Fax", "other"), ("Pager", "other"), ("Main", "other"), ("", "other"),
        ("E-mail Address", "other"),
    ],
)  # fmt: skip
def test_labels_are_normalised(text, label):
    assert normalize_label(text) == label


def test_the_signature_is_the_files_shape():
    assert signature(["First Name", "E-mail Address"]) == signature(
        ["first name", "e-mail address", ""]
    )
    assert signature(["First Name", "E-mail Address"]) != signature(
        ["E-mail Address", "First Name"]
    )
    assert len(signature(["A"])) == 32


def test_an_edited_mapping_is_remembered_and_reapplied():
    headers = ["Vorname", "Kundennummer", "Notizen"]
    edited = Mapping(headers, ["first_name", "cf_customer_number", None])
    stored = edited.to_dict()
    assert stored == {"headers": headers, "targets": ["first_name", "cf_customer_number", None]}
    again = Mapping.from_dict(stored, ["VORNAME", "Kundennummer", "Notizen"], TARGETS)
    assert again.targets == ["first_name", "cf_customer_number", None]
    assert again.unknown == ["Notizen"]


def test_a_remembered_mapping_forgets_deleted_fields_changed_headers_and_junk():
    stored = {"headers": ["Vorname", "Kundennummer"], "targets": ["first_name", "cf_gone"]}
    assert Mapping.from_dict(stored, ["Vorname", "Kundennummer"], TARGETS).targets == [
        "first_name",
        None,
    ]
    assert Mapping.from_dict(stored, ["Nachname", "Kundennummer"], TARGETS).targets == [None, None]
    assert Mapping.from_dict("junk", ["Vorname"], TARGETS).targets == [None]
    assert Mapping.from_dict({"headers": 3, "targets": [7]}, ["Vorname"], TARGETS).targets == [None]
