"""Importing companies through import_records: matching by domain (or website) then name
among visible companies, never by a free-mail domain; in-file merges; re-imports; undo;
visibility and owners."""

from __future__ import annotations

import pytest

from contacts.models import Company
from crm.models import CustomField, SearchEntry, VisibilityPolicy
from tests.factories import CompanyFactory
from tests.imports.records import snapshot

pytestmark = pytest.mark.django_db
HEADER = "Name,Website,Domain,Phone,City,Country,Notes,Owner"


def test_a_companies_file_imports_once_and_then_reads_as_unchanged(org, import_records, write_csv):
    path = write_csv(
        HEADER,
        "Nordwind GmbH,www.nordwind.example,,+49 30 1234567,Berlin,Germany,,",
        "Ostwind AG,,ostwind.example,,Leipzig,,A note,",
        " NORDWIND GMBH,,,,,,Second row of the same company,",  # merged by name
        "Nordwind Holding,https://nordwind.example/about,,,,,,",  # merged by domain
    )
    first = import_records("companies", path)
    assert (first["new"], first["updated"], first["unchanged"], first["errors"]) == (2, 0, 0, [])
    nordwind = Company.objects.get(domain="nordwind.example")
    assert nordwind.name == "Nordwind Holding"  # a later row's value replaces, blanks never erase
    assert nordwind.city == "Berlin" and nordwind.notes == "Second row of the same company"
    assert nordwind.website == "https://nordwind.example/about"
    assert nordwind.phone_normalized == "49301234567"  # as Company.save() keeps it
    assert Company.objects.get(name="Ostwind AG").domain == "ostwind.example"
    # Searchable at once, as a company saved by hand is.
    assert SearchEntry.objects.filter(kind="company", object_id=nordwind.pk).exists()

    again = import_records("companies", path)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert Company.objects.count() == 2


def test_companies_match_by_domain_then_name_never_by_free_mail(org, import_records, write_csv):
    acme = CompanyFactory(name="Acme Corporation", domain="acme.example", owner=org["ana"])
    named = CompanyFactory(name="Named Ltd", owner=org["ana"])
    CompanyFactory(name="Google", domain="gmail.com", owner=org["ana"])
    path = write_csv(
        HEADER,
        "ACME GmbH,http://www.acme.example,,,Munich,,,",  # another name, the same website
        " named ltd ,,,,Leeds,,,",  # trimmed, in any case
        "Freelancer,,gmail.com,,,,,",  # a free-mail domain says nothing
    )
    result = import_records("companies", path)
    assert (result["new"], result["updated"]) == (1, 2)
    acme.refresh_from_db()
    named.refresh_from_db()
    assert acme.city == "Munich" and acme.name == "ACME GmbH"
    assert named.city == "Leeds"
    assert Company.objects.get(name="Freelancer").domain == ""


def test_undo_restores_updated_companies_exactly_and_removes_new_ones(
    org, import_records, write_csv, undo
):
    CustomField.objects.create(model="company", key="tier", label="Tier", type="choice",
                               choices=["Gold", "Silver"])  # fmt: skip
    acme = CompanyFactory(name="Acme", domain="acme.example", city="Ulm", owner=org["ana"],
                          custom={"tier": "Silver"}, notes="Keep")  # fmt: skip
    before = snapshot(acme)
    path = write_csv(HEADER + ",Tier", "Acme Group,,acme.example,030 55,Bonn,,,,gold",
                     "Newco,,,,,,,,")  # fmt: skip
    result = import_records("companies", path)
    assert (result["new"], result["updated"]) == (1, 1)
    changed = Company.objects.get(pk=acme.pk)
    assert (changed.name, changed.city, changed.custom) == ("Acme Group", "Bonn", {"tier": "Gold"})
    assert changed.notes == "Keep" and changed.owner == org["ana"]

    assert "1 restored, 1 removed" in undo(result["batch"])
    assert snapshot(acme) == before
    assert not Company.objects.filter(name="Newco").exists()
    assert Company.objects.get(pk=acme.pk).history.count() == 3  # created, imported, undone


def test_undo_leaves_a_company_changed_since_and_says_so(org, import_records, write_csv, undo):
    acme = CompanyFactory(name="Acme", owner=org["ana"])
    result = import_records("companies", write_csv(HEADER, "Acme,,,,Bonn,,,"))
    changed = Company.objects.get(pk=acme.pk)
    changed.city = "Köln"
    changed.save()
    assert "changed since the import, left as it is: company “Acme”" in undo(result["batch"])
    assert Company.objects.get(pk=acme.pk).city == "Köln"


def test_a_rep_cannot_match_or_reveal_another_team_s_company(org, import_records, write_csv):
    hidden = CompanyFactory(name="Southwind", domain="south.example", city="Rome",
                            owner=org["carla"])  # fmt: skip
    result = import_records("companies", write_csv(HEADER, "Southwind,,south.example,,Oslo,,,"))
    assert result["new"] == 1 and result["warnings"] == []
    hidden.refresh_from_db()
    assert hidden.city == "Rome"


def test_a_visible_company_the_importer_may_not_change_is_skipped_with_a_warning(
    org, import_records, write_csv
):
    VisibilityPolicy.objects.update_or_create(
        pk=1, defaults={"company_see": "team", "company_edit": "own"}
    )
    CompanyFactory(name="Bens", city="Bonn", owner=org["ben"])
    result = import_records("companies", write_csv(HEADER, "Bens,,,,Kiel,,,"))
    assert (result["skipped"], result["updated"]) == (1, 0)
    assert result["warnings"] == [
        "Row 2: “Bens” is already in Huddle and you may not change it; skipped."
    ]
    assert Company.objects.get().city == "Bonn"


def test_owners_and_bad_rows(org, import_records, write_csv):
    CustomField.objects.create(model="company", key="founded", label="Founded", type="date")
    path = write_csv(
        HEADER + ",Founded",
        "Ben's,,,,,,,ben,2001-02-03",
        "Carla's,,,,,,,carla,",
        "Nobody's,,,,,,,nobody,",
        ",,,,Nameless,,,,",
        "Bad site,not a web address,,,,,,,",
        "Bad date,,,,,,,,2001-13-45",
    )
    result = import_records("companies", path, "maria")
    assert result["new"] == 1 and Company.objects.get().owner == org["ben"]
    assert Company.objects.get().custom == {"founded": "2001-02-03"}
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (3, "Owner"),
        (4, "Owner"),
        (5, "Name"),
        (6, "Website"),
        (7, "Founded"),
    ]
    assert "2001-13-45" in result["errors"][4]["message"]
    assert result["errors"][0]["message"] == "You may not give companies to carla."
