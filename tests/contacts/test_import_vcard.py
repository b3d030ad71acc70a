"""contacts/importing/vcard.py: vCard 2.1, 3.0 and 4.0 as a table with Huddle's own headers,
with vobject's three faults (commas, `tel:` URIs, `TYPE="voice,cell"`) repaired."""

from pathlib import Path

import pytest

from contacts.importing.files import ImportFileError, read_table
from contacts.importing.mapping import CONTACT_ALIASES, Target, guess_mapping
from contacts.importing.vcard import read_vcards

FILES = Path(__file__).parent / "import_files"


def read(name: str):
    return read_table((FILES / name).read_bytes(), name)


def cards(table):
    return {
        row.number: {h: c for h, c in zip(table.headers, row.cells, strict=True) if c}
        for row in table.rows
    }


def test_an_icloud_export_with_folds_labels_and_a_photo_is_read():
    table = read("icloud.vcf")
    assert table.kind == "vcard"
    assert table.record_name == "card"
    assert table.headers == [
        "First name", "Last name", "Company", "Job title", "E-mail (work)", "E-mail (home)",
        "E-mail (other)", "Phone (work)", "Phone (mobile)", "Birthday", "City", "Website", "Notes",
    ]  # fmt: skip
    assert cards(table) == {
        1: {
            "First name": "Anna Maria",
            "Last name": "Schmidt",
            "Company": "Nordwind GmbH",
            "Job title": "Head of Sales",
            "E-mail (work)": "sales@nordwind.example",
            "E-mail (home)": "anna@schmidt.example",
            "E-mail (other)": "* anna.schmidt@nordwind.example",  # type=pref, labelled Other
            "Phone (work)": "+49 30 1234567 ::: +49 30 7654321",  # the second labelled "Büro"
            "Phone (mobile)": "* +49 151 12345678",
            "Birthday": "1985-04-23",
            "City": "Berlin",
            "Notes": "Met at the trade fair, hall 4.\nPrefers e-mail; never calls before 10. "
            "This note is long enough to be folded by the exporting device.",
        },
        2: {
            "First name": "Ben",
            "Last name": "Okafor",
            "Company": "Okafor & Co",
            "E-mail (work)": "ben@okafor.example",
            "Phone (mobile)": "+44 7700 900123",
            "Birthday": "--07-14",  # X-APPLE-OMIT-YEAR=1604
            "Website": "https://okafor.example",
        },
        3: {"Company": "Café Zentral", "E-mail (work)": "info@cafe-zentral.example"},
    }


def test_a_vcard_4_is_read_despite_vobjects_faults():
    assert cards(read("vcard4.vcf")) == {
        1: {
            "First name": "Simon",
            "Last name": "Perreault",
            "Company": "Viagenie",  # read after the PHOTO data URI
            "Job title": "Research Scientist",
            "E-mail (work)": "simon.perreault@viagenie.ca",
            "E-mail (home)": "* simon@perreault.example",  # PREF=1
            "Phone (work)": "+1-418-656-9254 ext. 102",  # tel: URI with ;ext=
            "Phone (mobile)": "* +1-418-262-6501",  # TYPE="voice,cell"
            "Birthday": "--02-03",
            "City": "Quebec",
            "Website": "http://www.viagenie.ca",
            "Notes": "Hi, see the spec.",
        },
        2: {
            "First name": "Dana",
            "Last name": "Kim",
            "Phone (home)": "+82-2-555-0100",
            "Birthday": "1985-04-23",  # BDAY:19850423
        },
    }


def test_a_vcard_2_1_with_quoted_printable_and_charsets_is_read():
    table = read("vcard21.vcf")
    assert cards(table) == {
        1: {
            "First name": "Jürgen",
            "Last name": "Müller",
            "Company": "Müller Maschinenbau GmbH",
            "Job title": "Vertriebsleiter",
            "E-mail (other)": "j.mueller@mueller-mb.example",
            "Phone (work)": "+49 711 123456",
            "Phone (mobile)": "* +49 170 1234567",  # bare CELL;PREF
            "Phone (other)": "+49 711 123457",  # WORK;FAX: a fax is no work line
            "Birthday": "1971-11-02",
            "City": "Stuttgart",
            # ISO-8859-1, a soft line break, an unescaped comma vobject would have cut at
            "Notes": "Grüße aus Stuttgart, bitte vormittags anrufen. Dies ist eine lange Zeile "
            "die umbrochen wird.\nZweite Zeile",
        },
        2: {"First name": "Zoë", "Last name": "Ng", "E-mail (home)": "zoe@ng.example"},
    }


def test_unreadable_lines_and_unknown_charsets_do_not_stop_a_card():
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lang;Eva\r\n"
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\nAAAQABAAD/2wBDAAgGBgcGBQ\r\n\r\n"
        "NOTE;CHARSET=X-UNKNOWN;ENCODING=QUOTED-PRINTABLE:Gr=C3=BC=C3=9Fe\r\n"
        "TEL;HOME:+43 1 234\r\nEND:VCARD\r\n"
    )
    assert cards(read_vcards(text)) == {
        1: {
            "First name": "Eva",
            "Last name": "Lang",
            "Phone (home)": "+43 1 234",
            "Notes": "Grüße",
        }
    }


def test_a_card_with_only_a_full_name_is_split():
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Dr. Jan van der Berg\nEND:VCARD\n"
    assert cards(read_vcards(text)) == {1: {"First name": "Jan", "Last name": "van der Berg"}}


def test_empty_cards_keep_their_numbers():
    text = "BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nN:Ng;Zoë;;;\nEND:VCARD\n"
    table = read_vcards(text)
    assert table.headers == ["First name", "Last name"]
    assert [(row.number, row.cells) for row in table.rows] == [(2, ["Zoë", "Ng"])]


def test_a_file_cut_short_inside_a_card_is_refused():
    text = (FILES / "icloud.vcf").read_text(encoding="utf-8")
    with pytest.raises(ImportFileError) as error:
        read_vcards(text[: text.rindex("END:VCARD")])
    assert error.value.message == (
        "The file ends inside contact card 3 (it has no END:VCARD); it may have been cut short. "
        "Export it again."
    )


def test_huddles_own_headers_map_to_themselves():
    targets = [
        Target(key, label, CONTACT_ALIASES[key])
        for key, label in [
            ("first_name", "First name"), ("last_name", "Last name"), ("company", "Company"),
            ("job_title", "Job title"), ("email", "E-mail"), ("phone", "Phone"),
            ("city", "City"), ("notes", "Notes"), ("birthday", "Birthday"),
        ]
    ]  # fmt: skip
    table = read("icloud.vcf")
    mapping = guess_mapping(table.headers, targets)
    assert dict(zip(table.headers, mapping.targets, strict=True)) == {
        "First name": "first_name",
        "Last name": "last_name",
        "Company": "company",
        "Job title": "job_title",
        "E-mail (work)": "email",
        "E-mail (home)": "email",
        "E-mail (other)": "email",
        "Phone (work)": "phone",
        "Phone (mobile)": "phone",
        "Birthday": "birthday",
        "City": "city",
        "Website": None,  # no such target here: listed as not imported
        "Notes": "notes",
    }
    assert mapping.unknown == ["Website"]
