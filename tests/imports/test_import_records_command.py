"""import_records: one command for every kind, printing what import_contacts prints."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact
from imports.models import ImportBatch

pytestmark = pytest.mark.django_db
FILES = Path(__file__).resolve().parent.parent / "contacts" / "import_files"


def test_contacts_through_import_records_read_as_through_import_contacts(org, import_records):
    path = FILES / "google_contacts.csv"
    out = StringIO()
    call_command("import_contacts", str(path), "--user", "ana", "--json", "--dry-run", stdout=out)
    assert import_records("contacts", path, "ana", "--dry-run") == json.loads(out.getvalue())
    first = import_records("contacts", path)
    assert first["new"] == 3 and ImportBatch.objects.get().kind == "contact"
    assert Contact.objects.count() == 3


def test_a_vcard_file_is_no_deals_file_and_nothing_is_imported(org, import_records):
    with pytest.raises(CommandError, match="This is a vCard file: it holds contacts, not deals"):
        import_records("deals", FILES / "icloud.vcf")
    assert not ImportBatch.objects.exists()


def test_an_unknown_kind_is_refused(org):
    with pytest.raises(CommandError, match="invalid choice: 'spaceships'"):
        call_command("import_records", "spaceships", "x.csv", "--user", "ana", stdout=StringIO())


def test_the_text_summary_names_rows_with_errors(org, write_csv):
    path = write_csv("Name,Website", "Good,good.example", "Bad,not a web address")
    out = StringIO()
    call_command("import_records", "companies", str(path), "--user", "ana", stdout=out)
    text = out.getvalue()
    assert "1 new, 0 updated, 0 unchanged, 0 skipped, 1 with errors" in text
    assert "row 3, Website: “not a web address” is not a web address." in text
