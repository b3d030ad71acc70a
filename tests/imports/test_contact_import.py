"""Importing contacts through the command (the same service the upload pages call): matching,
in-file merges, companies, owners, visibility, bad rows, re-imports and undo."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Company, Contact
from crm.models import CustomField, VisibilityPolicy
from imports.contact_plan import FIELDS
from imports.models import ImportBatch
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db
FILES = Path(__file__).resolve().parent.parent / "contacts" / "import_files"
HEADER = "First Name,Last Name,Company,E-mail Address,Mobile Phone,Job Title,Birthday,Notes"


def run(path, user="ana", *options) -> dict:
    out = StringIO()
    call_command("import_contacts", str(path), "--user", user, "--json", *options, stdout=out)
    return json.loads(out.getvalue())


def csv_file(tmp_path, *lines, header=HEADER, name="people.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def snapshot(contact: Contact) -> dict:
    contact = Contact.all_objects.get(pk=contact.pk)
    values = {name: getattr(contact, name) for name in FIELDS if name != "company"}
    values["company"] = contact.company_id
    values["owner"] = contact.owner_id
    values["deleted_at"] = contact.deleted_at
    return values


def test_the_same_google_export_twice_creates_each_person_once(org):
    first = run(FILES / "google_contacts.csv")
    # Anna Maria Schmidt is in the file twice (rows 2 and 5): one person. Row 4 names only a
    # company (a company card) and has no person to create.
    assert (first["new"], first["updated"], first["unchanged"]) == (3, 0, 0)
    assert Contact.objects.filter(last_name="Schmidt").count() == 1
    anna = Contact.objects.get(last_name="Schmidt")
    assert anna.first_name == "Anna Maria"
    assert anna.email.lower() == "anna.schmidt@nordwind.example"
    assert {e["value"] for e in anna.emails} >= {"anna@schmidt.example"}
    assert anna.birthday == "1985-04-23" and anna.company.name == "Nordwind GmbH"
    chloe = Contact.objects.get(last_name="Dubois")
    assert chloe.notes.startswith("=HYPERLINK(")  # stored verbatim; only exports escape

    preview = run(FILES / "google_contacts.csv", "ana", "--dry-run")
    assert preview["batch"] is None
    assert (preview["new"], preview["updated"], preview["unchanged"]) == (0, 0, 3)
    again = run(FILES / "google_contacts.csv")
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert Contact.objects.count() == 3
    assert Company.objects.filter(name="Nordwind GmbH").count() == 1


def test_a_dry_run_writes_nothing(org):
    result = run(FILES / "google_contacts.csv", "ana", "--dry-run")
    assert result["new"] == 3 and result["batch"] is None
    assert not Contact.objects.exists() and not Company.objects.exists()
    assert not ImportBatch.objects.exists()


def test_undo_of_an_import_that_updated_contacts_restores_them_exactly(org, tmp_path):
    ana = org["ana"]
    CustomField.objects.create(model="contact", key="region", label="Region", type="choice",
                               choices=["North Sea", "Baltic", "Alps"])  # fmt: skip
    company = CompanyFactory(name="Nordwind GmbH", owner=ana)
    nora = ContactFactory(
        first_name="Nora", last_name="Nord", email="nora@nordwind.example", company=company,
        job_title="Buyer", phone="+49 30 1234567", owner=ana, custom={"region": "Baltic"},
        notes="Old note",
    )  # fmt: skip
    olaf = ContactFactory(first_name="Olaf", last_name="Ost", email="olaf@ost.example", owner=ana)
    before = {c.pk: snapshot(c) for c in (nora, olaf)}
    path = csv_file(
        tmp_path,
        "Nora,Nord,Nordwind GmbH,NORA@nordwind.example,+49 151 555 0101,Head of Sales,1980-02-03,,Alps",
        "Olaf,Ost,Ost AG,olaf@ost.example,,,--04-23,New note,",
        "Paula,Neu,Neu KG,paula@neu.example,,,,,",
        header=HEADER + ",Region",
    )
    result = run(path)
    assert (result["new"], result["updated"], result["unchanged"]) == (1, 2, 0)
    nora_after = Contact.objects.get(pk=nora.pk)
    assert nora_after.job_title == "Head of Sales" and nora_after.custom == {"region": "Alps"}
    assert nora_after.notes == "Old note"  # a blank cell never erases
    assert nora_after.owner == ana  # an update never changes the owner
    assert [p["value"] for p in nora_after.phones] == ["+49 151 555 0101"]

    out = StringIO()
    call_command("undo_import", str(result["batch"]), stdout=out)
    assert "2 restored, 3 removed" in out.getvalue()  # Paula, and the companies Ost AG, Neu KG
    for contact in (nora, olaf):
        after = snapshot(contact)
        assert after == before[contact.pk]
    assert not Contact.objects.filter(last_name="Neu").exists()
    assert not Company.objects.filter(name__in=["Ost AG", "Neu KG"]).exists()
    assert Contact.objects.get(pk=nora.pk).history.count() == 3  # created, imported, undone


def test_undo_leaves_a_record_changed_since_and_says_so(org, tmp_path):
    nora = ContactFactory(
        first_name="Nora", last_name="Nord", email="n@n.example", owner=org["ana"]
    )
    result = run(csv_file(tmp_path, "Nora,Nord,,n@n.example,,Boss,,"))
    contact = Contact.objects.get(pk=nora.pk)
    contact.city = "Kiel"
    contact.save()
    out = StringIO()
    call_command("undo_import", str(result["batch"]), stdout=out)
    assert "changed since the import, left as it is: contact “Nora Nord”" in out.getvalue()
    assert Contact.objects.get(pk=nora.pk).job_title == "Boss"
    with pytest.raises(CommandError, match="already undone"):
        call_command("undo_import", str(result["batch"]), stdout=StringIO())


def test_an_import_that_changed_nothing_undoes_with_exit_zero(org, tmp_path):
    path = csv_file(tmp_path)  # header only
    result = run(path)
    assert (result["new"], result["errors"]) == (0, [])
    call_command("undo_import", str(result["batch"]), stdout=StringIO())
    assert ImportBatch.objects.get(pk=result["batch"]).undone_at is not None


def test_matching_by_any_e_mail_then_phone_then_name_and_company(org, tmp_path):
    ana = org["ana"]
    acme = CompanyFactory(name="ACME", domain="acme.example", owner=ana)
    by_mail = ContactFactory(first_name="Ann", last_name="Mail", email="ann@work.example",
                             emails=[{"label": "home", "value": "ann@home.example"}], owner=ana)  # fmt: skip
    by_phone = ContactFactory(first_name="Phil", last_name="Phone", email="", phone="030 1234567",
                              owner=ana)  # fmt: skip
    by_name = ContactFactory(first_name="Nick", last_name="Name", email="", company=acme, owner=ana)
    path = csv_file(
        tmp_path,
        "Ann,Mail,,ANN@HOME.example,,Chief,,",  # her second address, in capitals
        "Phil,Phone,,,+49 30 1234567,Buyer,,",  # the same number in another spelling
        "Nick,Name, acme ,,,Boss,,",  # name and company, trimmed and in any case
        "Sue,Switch,,,+49 30 1234567,,,",  # a colleague on the same switchboard number
    )
    result = run(path)
    assert (result["new"], result["updated"]) == (1, 3)
    assert Contact.objects.get(pk=by_mail.pk).job_title == "Chief"
    assert Contact.objects.get(pk=by_phone.pk).job_title == "Buyer"
    assert Contact.objects.get(pk=by_name.pk).job_title == "Boss"
    assert Contact.objects.filter(last_name="Switch").count() == 1


def test_an_e_mail_contradicting_a_phone_match_makes_two_people(org, tmp_path):
    ContactFactory(first_name="Pat", last_name="Lee", email="pat@one.example", phone="0301111",
                   owner=org["ana"])  # fmt: skip
    result = run(csv_file(tmp_path, "Pat,Lee,,pat@two.example,+49 301111,,,"))
    assert result["new"] == 1
    assert Contact.objects.filter(last_name="Lee").count() == 2


def test_companies_match_by_domain_then_name_never_by_free_mail(org, tmp_path):
    ana = org["ana"]
    acme = CompanyFactory(name="Acme Corporation", domain="acme.example", owner=ana)
    gmail = CompanyFactory(name="Google", domain="gmail.com", owner=ana)
    path = csv_file(
        tmp_path,
        "Al,One,ACME GmbH,al@acme.example,,,,",  # another spelling, same domain
        "Bo,Two,Somewhere Else,bo@gmail.com,,,,",  # a free-mail address says nothing
        "Cy,Three,Somewhere Else,,,,,",  # the company created by the row above
    )
    result = run(path)
    assert result["new"] == 3 and result["companies_new"] == 1
    assert Contact.objects.get(last_name="One").company == acme
    bo, cy = Contact.objects.get(last_name="Two"), Contact.objects.get(last_name="Three")
    assert bo.company != gmail and bo.company == cy.company
    assert bo.company.name == "Somewhere Else" and bo.company.domain == ""


def test_on_match_skip_and_create(org, tmp_path):
    nora = ContactFactory(first_name="Nora", last_name="Nord", email="n@n.example",
                          job_title="Buyer", owner=org["ana"])  # fmt: skip
    changed = csv_file(tmp_path, "Nora,Nord,,n@n.example,,Boss,,")
    same = csv_file(tmp_path, "Nora,Nord,,n@n.example,,Buyer,,", name="same.csv")
    skipped = run(changed, "ana", "--on-match", "skip")
    assert (skipped["skipped"], skipped["updated"]) == (1, 0)
    assert Contact.objects.get(pk=nora.pk).job_title == "Buyer"
    identical = run(same, "ana", "--on-match", "skip")
    assert (identical["unchanged"], identical["skipped"]) == (1, 0)
    created = run(changed, "ana", "--on-match", "create")
    assert created["new"] == 1
    assert Contact.objects.filter(last_name="Nord").count() == 2


def test_matching_sees_only_what_the_importer_may_see(org, tmp_path):
    hidden = ContactFactory(first_name="Sid", last_name="South", email="sid@south.example",
                            job_title="Secret", owner=org["carla"])  # fmt: skip
    result = run(csv_file(tmp_path, "Sid,South,,sid@south.example,,Guess,,"), "ana")
    assert result["new"] == 1 and result["warnings"] == []
    assert Contact.objects.get(pk=hidden.pk).job_title == "Secret"
    assert "South" not in json.dumps(result["warnings"])


def test_a_visible_match_the_importer_may_not_change_is_skipped_with_a_warning(org, tmp_path):
    VisibilityPolicy.objects.update_or_create(
        pk=1, defaults={"contact_see": "team", "contact_edit": "own"}
    )
    bens = ContactFactory(first_name="Bea", last_name="Bens", email="bea@b.example",
                          job_title="Old", owner=org["ben"])  # fmt: skip
    result = run(csv_file(tmp_path, "Bea,Bens,,bea@b.example,,New,,"), "ana")
    assert result["skipped"] == 1 and result["updated"] == 0
    assert "may not change" in result["warnings"][0]
    assert Contact.objects.get(pk=bens.pk).job_title == "Old"


def test_the_owner_column_is_used_for_new_records_within_the_policy(org, tmp_path):
    header = HEADER + ",Owner"
    path = csv_file(
        tmp_path,
        "Al,Ben,,al@x.example,,,,,ben",
        "Bo,Carla,,bo@x.example,,,,,carla",
        "Cy,Nobody,,cy@x.example,,,,,nobody",
        "Di,Self,,di@x.example,,,,,",
        header=header,
    )
    result = run(path, "maria")  # North's manager may give contacts to North's people only
    assert result["new"] == 2
    assert Contact.objects.get(last_name="Ben").owner == org["ben"]
    assert Contact.objects.get(last_name="Self").owner == org["maria"]
    messages = {error["row"]: error for error in result["errors"]}
    assert (
        messages[3]["column"] == "Owner"
        and "may not give contacts to carla" in (messages[3]["message"])
    )
    assert "no active user" in messages[4]["message"]


def test_a_bad_date_leaves_its_row_out_and_the_others_in(org):
    result = run(FILES / "outlook.csv")
    assert result["errors"] == [
        {
            "row": 3,
            "column": "Birthday",
            "message": result["errors"][0]["message"],
        }
    ]
    assert "13/13/1985" in result["errors"][0]["message"]
    assert result["new"] == 2


@pytest.mark.parametrize("name", ["binary.csv", "html_saved_as.vcf", "empty.csv"])
def test_a_file_that_is_not_what_it_claims_changes_nothing(org, name):
    with pytest.raises(CommandError, match="Nothing imported"):
        run(FILES / name)
    assert not Contact.objects.exists() and not ImportBatch.objects.exists()


def test_a_header_only_file_imports_nothing_and_succeeds(org):
    result = run(FILES / "header_only.csv")
    assert (result["new"], result["errors"]) == (0, [])


@pytest.mark.parametrize("name", ["icloud.vcf", "vcard21.vcf", "contacts.xlsx", "excel_semicolon_bom.csv",
                                  "excel_unicode_text.txt", "google_legacy_utf16.csv", "outlook_windows.csv"])  # fmt: skip
def test_every_shape_of_export_imports_and_then_reads_as_unchanged(org, name):
    first = run(FILES / name)
    assert first["new"] >= 1
    again = run(FILES / name)
    assert again["new"] == 0 and again["updated"] == 0
    assert again["unchanged"] == first["new"] + first["updated"] + first["unchanged"]


def test_huddle_s_own_csv_export_imports_back_as_unchanged(org, client, tmp_path):
    ana = org["ana"]
    ContactFactory(first_name="Pia", last_name="Plus", email="pia@plus.example",
                   phone="+49 151 2345678", job_title="=Boss", owner=ana)  # fmt: skip
    client.force_login(ana)
    response = client.get("/contacts/export.csv")
    assert response.status_code == 200
    exported = b"".join(response.streaming_content)
    assert b"'+49 151 2345678" in exported  # escaped for spreadsheets…
    path = tmp_path / "exported.csv"
    path.write_bytes(exported)
    result = run(path)
    # …and read back as it was: nothing to change
    assert (result["new"], result["updated"], result["unchanged"]) == (0, 0, 1), result
