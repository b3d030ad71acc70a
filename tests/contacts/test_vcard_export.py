"""The contacts list as vCard 3.0 (contacts/vcard_export.py): the list's "vCard" link, as
filtered on screen; CRLF lines folded at 75 octets, escaped text, every labelled e-mail and
phone with the primary first, year-less birthdays; and the file imports back unchanged."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from contacts.importing.vcard import read_vcards
from contacts.models import Contact
from imports.services import import_contacts
from tests.factories import CompanyFactory, ContactFactory

LONG_NOTE = "Met at the Messe; wants a quote, in € — " + "Grüße aus München " * 8


@pytest.fixture
def address_book(org):
    ana = org["ana"]
    nordwind = CompanyFactory(name="Nordwind, Ltd.", owner=ana)
    full = ContactFactory(
        first_name="Jörg",
        last_name="Müller-Lüdenscheidt",
        company=nordwind,
        job_title="Head of Sales; EMEA",
        email="joerg@nordwind.example",
        email_label="work",
        emails=[
            {"label": "home", "value": "joerg@private.example"},
            {"label": "other", "value": "jm@else.example"},
        ],
        phone="+49 170 1234567",
        phone_label="mobile",
        phones=[
            {"label": "work", "value": "+49 30 1234567"},
            {"label": "home", "value": "+49 30 7654321"},
        ],
        birthday="--04-23",
        city="Berlin",
        notes=LONG_NOTE + "\nSecond line \\ with a backslash",
        owner=ana,
    )
    plain = ContactFactory(
        first_name="Ada", last_name="Byron", birthday="1985-12-10", owner=ana, phone=""
    )
    return {"full": full, "plain": plain}


def vcard_of(client, **query) -> str:
    response = client.get(reverse("contacts:export", args=["vcf"]), query)
    assert response.streaming
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="huddle-contacts.vcf"'
    return response.getvalue().decode("utf-8")


def unfolded(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_contacts_list_links_its_vcard_as_filtered(address_book, client_for):
    page = client_for("ana").get(reverse("contacts:list"), {"q": "Ada"}).content.decode()

    link = re.search(r'<a href="([^"]+)">vCard</a>', page)

    assert link and link.group(1) == reverse("contacts:export", args=["vcf"]) + "?q=Ada"


def test_a_filtered_list_gives_only_its_cards(address_book, client_for):
    text = vcard_of(client_for("ana"), q="Ada")

    assert text.count("BEGIN:VCARD") == 1 and "N:Byron;Ada;;;" in text


def test_the_card_carries_every_field_escaped_and_typed(address_book, client_for):
    lines = unfolded(vcard_of(client_for("ana"), q="Jörg"))

    assert lines[:4] == [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "N:Müller-Lüdenscheidt;Jörg;;;",
        "FN:Jörg Müller-Lüdenscheidt",
    ]
    assert "ORG:Nordwind\\, Ltd." in lines
    assert "TITLE:Head of Sales\\; EMEA" in lines
    emails = [line for line in lines if line.startswith("EMAIL")]
    assert emails == [
        "EMAIL;TYPE=INTERNET,WORK,PREF:joerg@nordwind.example",
        "EMAIL;TYPE=INTERNET,HOME:joerg@private.example",
        "EMAIL;TYPE=INTERNET:jm@else.example",
    ]
    phones = [line for line in lines if line.startswith("TEL")]
    assert phones == [
        "TEL;TYPE=CELL,PREF:+49 170 1234567",
        "TEL;TYPE=WORK,VOICE:+49 30 1234567",
        "TEL;TYPE=HOME,VOICE:+49 30 7654321",
    ]
    assert "BDAY:--0423" in lines
    assert "ADR;TYPE=WORK:;;;Berlin;;;" in lines
    note = LONG_NOTE.replace(",", "\\,").replace(";", "\\;")
    assert f"NOTE:{note}\\nSecond line \\\\ with a backslash" in lines
    assert lines[-2:] == ["END:VCARD", ""]


def test_lines_end_in_crlf_and_fold_at_75_octets_between_characters(address_book, client_for):
    raw = vcard_of(client_for("ana")).encode("utf-8")

    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long note was folded
    for line in lines:
        line.decode("utf-8")  # no line ends inside a character


def test_a_company_she_may_not_see_is_not_on_her_card(org, client_for):
    secret = CompanyFactory(name="Nordsecret GmbH", owner=org["ana"])
    ContactFactory(first_name="Cleo", company=secret, owner=org["carla"])

    text = vcard_of(client_for("carla"))

    assert "Cleo" in text and "ORG:" not in text and "Nordsecret" not in text


def test_the_file_reads_back_as_the_same_people(address_book, client_for):
    table = read_vcards(vcard_of(client_for("ana")))

    jorg = dict(zip(table.headers, table.rows[1].cells, strict=True))  # by name: Byron first
    assert jorg["Company"] == "Nordwind, Ltd." and jorg["Job title"] == "Head of Sales; EMEA"
    assert jorg["Phone (mobile)"] == "* +49 170 1234567"
    assert jorg["E-mail (home)"] == "joerg@private.example"
    assert jorg["Birthday"] == "--04-23" and jorg["City"] == "Berlin"
    assert jorg["Notes"] == address_book["full"].notes


def test_exporting_and_importing_back_changes_nothing(address_book, client_for, org):
    before = list(Contact.objects.order_by("pk").values())
    data = vcard_of(client_for("ana")).encode("utf-8")

    result = import_contacts(user=org["ana"], data=data, filename="huddle-contacts.vcf")

    assert {k: result.counts[k] for k in ("new", "updated", "unchanged", "skipped")} == {
        "new": 0,
        "updated": 0,
        "unchanged": 2,
        "skipped": 0,
    }
    assert result.counts["companies_new"] == 0 and not result.plan.errors
    assert list(Contact.objects.order_by("pk").values()) == before


def test_the_import_command_reports_the_exported_file_unchanged(address_book, org, tmp_path):
    path = tmp_path / "huddle-contacts.vcf"
    out = io.StringIO()
    call_command("export", "contacts", "--user", "ana", "--format", "vcf", "--output", str(path))

    call_command("import_contacts", str(path), "--user", "ana", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert (report["new"], report["updated"], report["unchanged"]) == (0, 0, 2)
    assert report["errors"] == [] and report["companies_new"] == 0
