"""The import pages for companies, deals and activities (the same pages as contacts'): the
upload says what the file holds, the mapping offers that kind's fields and requires its key
column, the preview counts and lists rows in the same words, confirm imports, undo undoes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import User
from deals.models import Deal
from imports.models import ImportBatch, ImportUpload, SavedMapping
from tests.factories import CompanyFactory, PipelineFactory, StageFactory
from tests.imports.test_views import FILES, _column, _messages, _outcomes, _selected, _text

DEALS = (
    b"Deal name,Company,Stage,Amount,Close date\r\n"
    b'Rollout,Nordwind GmbH,Proposal,"1,000.50",2027-02-01\r\n'
    b"Pilot,Nordwind GmbH,,200,2027-13-01\r\n"
    b"Support,New Co,Won,300,\r\n"
)


@pytest.fixture
def sales(org):
    pipeline = PipelineFactory(name="Sales")
    StageFactory(pipeline=pipeline, name="Lead", order=1)
    StageFactory(pipeline=pipeline, name="Proposal", order=2)
    StageFactory(pipeline=pipeline, name="Won", order=3, is_won=True)
    return CompanyFactory(name="Nordwind GmbH", owner=org["ana"])


def _upload(client, kind: str, data: bytes, name: str = "deals.csv"):
    return client.post(
        reverse("imports:contacts"),
        {"kind": kind, "file": SimpleUploadedFile(name, data), "on_match": "update"},
    )


def test_a_deals_file_goes_from_upload_to_undo(client_for, org, sales):
    client = client_for("ana")
    page = client.get(reverse("imports:contacts") + "?kind=deal")
    # Preselected by the link's ?kind=deal; contacts otherwise.
    assert '<input type="radio" name="kind" value="deal" id="id_kind_2" checked>' in (
        page.content.decode()
    )
    response = _upload(client, "deal", DEALS)
    upload = ImportUpload.objects.get()
    assert upload.kind == "deal" and response.url == reverse("imports:mapping", args=[upload.pk])

    mapping = client.get(response.url)
    assert "Import deals: columns" in _text(mapping)
    # Guessed from the headers, among the deal's fields (no person's name helpers offered).
    assert _selected(mapping) == {
        "column_0": "title",
        "column_1": "company",
        "column_2": "stage",
        "column_3": "amount",
        "column_4": "expected_close",
    }
    assert "Full name (split" not in mapping.content.decode()
    chosen = {**_selected(mapping), "on_match": "update"}
    response = client.post(mapping.request["PATH_INFO"], chosen)
    assert response.url == reverse("imports:preview", args=[upload.pk])
    assert SavedMapping.objects.get(kind="deal").user == org["ana"]

    preview = client.get(response.url)
    text = _text(preview)
    assert "2 new 0 updated 0 unchanged 0 skipped 1 with errors 1 new company" in text
    assert "A row that matches a deal already in Huddle: update the existing record." in text
    assert _outcomes(preview)[0][:2] == ("3", "error")
    assert "Close date:" in _outcomes(preview)[0][3]
    assert not Deal.objects.exists()

    done = client.post(reverse("imports:confirm", args=[upload.pk]), follow=True)
    assert "Imported: 2 new, 0 updated, 0 unchanged, 0 skipped, 1 with errors" in _messages(done)
    batch = ImportBatch.objects.get()
    assert batch.kind == "deal" and batch.errors[0]["row"] == 3
    assert Deal.objects.get(title="Rollout").company == sales
    assert "matched a deal already in Huddle" in _text(done)

    again = client.post(reverse("imports:undo", args=[batch.pk]), follow=True)
    assert f"Import {batch.pk} undone: 0 restored, 3 removed." in _messages(again)
    assert not Deal.objects.exists()


def test_a_mapping_without_the_title_column_is_refused(client_for, org, sales):
    client = client_for("ana")
    _upload(client, "deal", DEALS)
    upload = ImportUpload.objects.get()
    url = reverse("imports:mapping", args=[upload.pk])
    response = client.post(url, {"column_0": "", "column_1": "company", "on_match": "update"})
    assert response.status_code == 200
    assert "Choose the column that holds the deal's title" in _text(response)
    assert ImportUpload.objects.get().mapping is None


def test_a_person_s_field_is_no_choice_for_a_companies_file(client_for, org):
    client = client_for("ana")
    _upload(client, "company", b"Name,Job title\r\nAcme,Boss\r\n", "companies.csv")
    upload = ImportUpload.objects.get()
    url = reverse("imports:mapping", args=[upload.pk])
    mapping = client.get(url)
    column = _column(mapping, "Job title")
    response = client.post(
        url, {"column_0": "company_name", column: "job_title", "on_match": "update"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)


def test_a_vcard_file_is_refused_for_deals_and_nothing_stored(client_for, org):
    response = _upload(client_for("ana"), "deal", (FILES / "icloud.vcf").read_bytes(), "a.vcf")
    assert response.status_code == 200
    assert "This is a vCard file: it holds contacts, not deals." in _text(response)
    assert not ImportUpload.objects.exists()


def test_an_unknown_kind_is_refused(client_for, org):
    response = _upload(client_for("ana"), "spaceships", DEALS)
    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)
    assert not ImportUpload.objects.exists()


@pytest.mark.parametrize(
    ("list_name", "kind", "label"),
    [("contacts:company-list", "company", "Companies"), ("deals:list", "deal", "Deals"),
     ("contacts:activity-list", "activity", "Activities"), ("contacts:list", None, "Contacts")],
)  # fmt: skip
def test_each_list_links_to_the_import_of_its_kind_and_the_history_names_it(
    client_for, list_name, kind, label
):
    client = client_for("ana")
    html = client.get(reverse(list_name)).content.decode()
    link = reverse("imports:contacts") + (f"?kind={kind}" if kind else "")
    assert f'<a class="button" href="{link}">Import</a>' in html
    ImportBatch.objects.create(
        user=User.objects.get(username="ana"), kind=kind or "contact", filename="x.csv"
    )

    history = client.get(reverse("imports:contacts")).content.decode()
    assert f"<td>x.csv</td>\n        <td>{label}</td>" in history
