"""The contact import pages (issue 16), over HTTP as a browser without JavaScript sends them:
upload → column mapping → preview → confirm → the batch page → undo, and the history.

Files are the real-shaped exports of tests/contacts/import_files/. ana (rep, North) imports;
carla (South) and the admin are the others. An upload is its user's alone; a batch its user's
and the admin's.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts.models import Company, Contact
from crm.models import CustomField
from imports import services
from imports.models import ImportBatch, ImportUpload, SavedMapping
from tests.factories import CompanyFactory, ContactFactory

FILES = Path(__file__).parent.parent / "contacts" / "import_files"
GOOGLE = "google_contacts.csv"
CUSTOMER_NUMBER = "custom:customer_number"


@pytest.fixture
def customer_number(db):
    """A custom contact field the Google file's "Custom Field 1 - Value" column belongs in;
    no header names it, so the person has to choose it."""
    return CustomField.objects.create(
        model="contact", key="customer_number", label="Customer number", type="text"
    )


def _file(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FILES / name).read_bytes() if data is None else data)


def _upload(client, name: str = GOOGLE, on_match: str = "update", data: bytes | None = None):
    return client.post(
        reverse("imports:contacts"), {"file": _file(name, data), "on_match": on_match}
    )


def _uploaded(client, name: str = GOOGLE, on_match: str = "update") -> ImportUpload:
    response = _upload(client, name, on_match)
    upload = ImportUpload.objects.latest("pk")
    assert response.status_code == 302
    assert response.url == reverse("imports:mapping", args=[upload.pk])
    return upload


def _text(response) -> str:
    """The page as a person reads it: tags out, entities decoded, white space collapsed."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _selected(response) -> dict[str, str]:
    """Each column's select on the mapping page -> the value chosen in it ("" for none)."""
    html = response.content.decode()
    chosen = {}
    for name, body in re.findall(r'<select name="(column_\d+)"[^>]*>(.*?)</select>', html, re.S):
        found = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[name] = unescape(found.group(1)) if found else ""
    return chosen


def _column(response, header: str) -> str:
    """The select name of the column with this header, by its label."""
    html = response.content.decode()
    found = re.search(rf'<label for="id_(column_\d+)">{re.escape(header)}</label>', html)
    assert found, f"no column {header!r} on the page"
    return found.group(1)


def _outcomes(response) -> list[tuple[str, str, str, str]]:
    """The preview's rows: (row, status, name, reason), as shown."""
    html = response.content.decode()
    body = re.search(r'<table class="table import-outcomes">.*?<tbody>(.*?)</tbody>', html, re.S)
    rows = re.findall(r"<tr class=\"status-[a-z]+\">(.*?)</tr>", body.group(1), re.S)
    return [
        tuple(unescape(cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S))
        for row in rows
    ]


def _messages(response) -> str:
    html = response.content.decode()
    found = re.search(r'<div id="messages".*?</div>\s*<main', html, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


# ---- the whole journey -----------------------------------------------------------------------


def test_upload_map_preview_confirm_reimport_and_undo(client_for, customer_number):
    client = client_for("ana")
    page = client.get(reverse("imports:contacts"))
    assert page.status_code == 200
    assert 'accept=".csv,.tsv,.txt,.xlsx,.vcf"' in page.content.decode()
    assert "No imports yet." in _text(page)

    # Upload: the file is kept for the next steps, nothing imported yet.
    upload = _uploaded(client)
    assert upload.user.username == "ana" and upload.filename == GOOGLE
    assert upload.on_match == "update" and upload.mapping is None
    assert Contact.objects.count() == 0

    # Mapping: guessed from the headers, with two sample values per column.
    mapping = client.get(reverse("imports:mapping", args=[upload.pk]))
    assert mapping.status_code == 200
    chosen = _selected(mapping)
    assert chosen[_column(mapping, "First Name")] == "first_name"
    assert chosen[_column(mapping, "Middle Name")] == "middle_name"
    assert chosen[_column(mapping, "Organization Name")] == "company"
    assert chosen[_column(mapping, "E-mail 1 - Value")] == "email"
    assert chosen[_column(mapping, "Custom Field 1 - Value")] == ""
    text = _text(mapping)
    assert "Anna Ben" in text  # the first two first names, as samples
    assert "The labels of “E-mail 1 - Value”: read with it." in text
    assert "— not imported —" in mapping.content.decode()
    assert "Full name (split into first and last name)" in mapping.content.decode()

    # The person puts the customer number into its custom field.
    custom_column = _column(mapping, "Custom Field 1 - Value")
    posted = {**chosen, custom_column: CUSTOMER_NUMBER, "on_match": "update"}
    response = client.post(reverse("imports:mapping", args=[upload.pk]), posted)
    assert response.status_code == 302
    assert response.url == reverse("imports:preview", args=[upload.pk])
    upload.refresh_from_db()
    assert upload.mapping["targets"][int(custom_column.split("_")[1])] == CUSTOMER_NUMBER
    assert SavedMapping.objects.filter(user__username="ana").count() == 1

    # Preview: counts, "not imported", and every row's outcome with its number; errors first.
    preview = client.get(reverse("imports:preview", args=[upload.pk]))
    assert preview.status_code == 200
    text = _text(preview)
    assert "Nothing is written yet." in text
    assert "3 new 0 updated 0 unchanged 0 skipped 0 with errors 3 new companies" in text
    not_imported = re.search(r"Not imported: (.*?) Import Change the mapping", text).group(1)
    assert {"Photo", "Labels", "Custom Field 1 - Label"} <= set(not_imported.split(", "))
    assert "Custom Field 1 - Value" not in not_imported.split(", ")
    assert _outcomes(preview) == [
        ("2", "new", "Anna Maria Schmidt", ""),
        ("3", "new", "Ben Okafor", ""),
        ("4", "company", "Café Zentral", "no person named: a new company"),
        ("5", "merged", "Anna Maria Schmidt", "the same person as row 2"),
        ("6", "new", "Chloé Dubois", ""),
    ]
    assert Contact.objects.count() == 0, "a preview writes nothing"

    # Confirm: the import, its batch page, the message.
    response = client.post(reverse("imports:confirm", args=[upload.pk]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:batch", args=[batch.pk])
    assert not ImportUpload.objects.exists()
    page = client.get(response.url)
    assert (
        "Imported: 3 new, 0 updated, 0 unchanged, 0 skipped, 0 with errors; 3 new companies."
        in _messages(page)
    )
    assert f"Import {batch.pk}: {GOOGLE}" in _text(page)
    anna = Contact.objects.get(last_name="Schmidt")
    assert anna.first_name == "Anna Maria" and anna.owner.username == "ana"
    assert anna.custom == {"customer_number": "K-1001"}
    assert anna.company.name == "Nordwind GmbH"
    assert sorted(Contact.objects.values_list("last_name", flat=True)) == [
        "Dubois",
        "Okafor",
        "Schmidt",
    ]

    # The same file again: the customer-number column is remembered; nothing would change.
    again = _uploaded(client)
    mapping = client.get(reverse("imports:mapping", args=[again.pk]))
    assert _selected(mapping)[custom_column] == CUSTOMER_NUMBER
    preview = client.get(reverse("imports:preview", args=[again.pk]))
    assert "0 new 0 updated 3 unchanged 0 skipped 0 with errors 0 new companies" in _text(preview)
    assert [status for _, status, _, _ in _outcomes(preview)] == [
        "unchanged",
        "unchanged",
        "company",
        "merged",
        "unchanged",
    ]

    # Undo of the first import, from the history: its people and companies are gone again.
    history = client.get(reverse("imports:contacts"))
    assert f'id="batch-{batch.pk}"' in history.content.decode()
    assert GOOGLE in _text(history)
    response = client.post(reverse("imports:undo", args=[batch.pk]), {"next": "history"})
    assert response.status_code == 302 and response.url == reverse("imports:contacts")
    page = client.get(response.url)
    assert f"Import {batch.pk} undone: 0 restored, 6 removed." in _messages(page)
    assert "Undone" in _text(page)
    assert not Contact.objects.exists() and not Company.objects.exists()
    batch.refresh_from_db()
    assert batch.undone_at is not None and batch.undone_by.username == "ana"


def test_undo_puts_back_an_updated_contact_and_leaves_one_changed_since(client_for, org):
    ana = org["ana"]
    okafor = CompanyFactory(name="Okafor & Co", owner=ana)
    ben = ContactFactory(
        first_name="Ben", last_name="Okafor", email="ben@okafor.example", company=okafor, owner=ana
    )
    chloe = ContactFactory(
        first_name="Chloé", last_name="Dubois", email="chloe@dubois.example", owner=ana
    )
    client = client_for("ana")
    upload = _uploaded(client)
    client.post(reverse("imports:confirm", args=[upload.pk]))
    batch = ImportBatch.objects.get()
    assert batch.counts["updated"] == 2 and batch.counts["new"] == 1
    ben.refresh_from_db()
    assert ben.city == "London"
    # Someone changes Chloé after the import.
    chloe.refresh_from_db()
    chloe.job_title = "Owner"
    chloe.save()

    response = client.post(reverse("imports:undo", args=[batch.pk]))

    assert response.status_code == 302
    assert response.url == reverse("imports:batch", args=[batch.pk])
    page = client.get(response.url)
    assert (
        f"Import {batch.pk} undone: 1 restored, 3 removed. Changed since the import, left as "
        "they are: contact “Chloé Dubois”." in _messages(page)
    )
    assert "Changed since the import, left as they are: contact “Chloé Dubois”." in _text(page)
    ben.refresh_from_db()
    chloe.refresh_from_db()
    assert ben.city == "" and ben.deleted_at is None
    assert chloe.job_title == "Owner" and chloe.deleted_at is None
    assert sorted(Contact.objects.values_list("last_name", flat=True)) == ["Dubois", "Okafor"]


def test_rows_with_errors_are_listed_first_in_the_preview_and_on_the_batch_page(client_for):
    client = client_for("ana")
    upload = _uploaded(client, "outlook.csv")
    problem = "“13/13/1985” is not a date: there is no such day"

    preview = client.get(reverse("imports:preview", args=[upload.pk]))
    client.post(reverse("imports:confirm", args=[upload.pk]))
    page = client.get(reverse("imports:batch", args=[ImportBatch.objects.get().pk]))

    first = _outcomes(preview)[0]
    assert first[:3] == ("3", "error", "") and first[3].startswith(f"Birthday: {problem}")
    assert [row for row, *_ in _outcomes(preview)] == ["3", "2", "4"]
    assert "Row numbers count the header as row 1" in _text(preview)
    text = _text(page)
    assert "2 new 0 updated 0 unchanged 0 skipped 1 with errors" in text
    assert f"Not imported: 1 row with errors Row Column Problem 3 Birthday {problem}" in text


def test_a_vcard_file_counts_cards_not_rows(client_for):
    client = client_for("ana")
    upload = _uploaded(client, "icloud.vcf")

    preview = client.get(reverse("imports:preview", args=[upload.pk]))

    text = _text(preview)
    assert "Card What happens Name Why 1 new Anna Maria Schmidt" in text
    assert "A card that matches a contact already in Huddle" in text
    assert "header as row 1" not in text


def test_skip_chosen_at_upload_leaves_matches_alone(client_for, org):
    ben = ContactFactory(
        first_name="Ben", last_name="Okafor", email="ben@okafor.example", owner=org["ana"]
    )
    client = client_for("ana")
    upload = _uploaded(client, on_match="skip")

    preview = client.get(reverse("imports:preview", args=[upload.pk]))

    text = _text(preview)
    assert "A row that matches a contact already in Huddle: skip the row." in text
    assert "2 new 0 updated 0 unchanged 1 skipped" in text
    assert ("3", "skipped", "Ben Okafor", "") in _outcomes(preview)
    client.post(reverse("imports:confirm", args=[upload.pk]))
    ben.refresh_from_db()
    assert ben.city == "" and ImportBatch.objects.get().on_match == "skip"


def test_the_mapping_page_can_change_what_a_matching_row_does(client_for):
    client = client_for("ana")
    upload = _uploaded(client)
    mapping = client.get(reverse("imports:mapping", args=[upload.pk]))

    client.post(
        reverse("imports:mapping", args=[upload.pk]), {**_selected(mapping), "on_match": "create"}
    )

    upload.refresh_from_db()
    assert upload.on_match == "create"


# ---- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("binary.csv", "This file is not text. Upload a CSV, TSV or TXT file"),
        ("html_saved_as.vcf", "This is a web page (HTML), not an export file."),
        ("empty.csv", "The file is empty (0 bytes)."),
    ],
)
def test_a_file_huddle_cannot_read_is_refused_with_the_reason_and_nothing_stored(
    client_for, name, message
):
    response = _upload(client_for("ana"), name)

    assert response.status_code == 200
    assert message in _text(response)
    assert re.search(r'class="field[a-z ]* has-error"', response.content.decode())
    assert not ImportUpload.objects.exists()
    assert not ImportBatch.objects.exists()


def test_an_upload_without_a_file_asks_for_one(client_for):
    response = client_for("ana").post(reverse("imports:contacts"), {"on_match": "update"})

    assert response.status_code == 200
    assert "This field is required." in _text(response)
    assert not ImportUpload.objects.exists()


def test_a_forged_target_or_on_match_is_refused_and_nothing_saved(client_for):
    client = client_for("ana")
    upload = _uploaded(client)
    mapping = client.get(reverse("imports:mapping", args=[upload.pk]))
    chosen = _selected(mapping)
    first = _column(mapping, "First Name")

    response = client.post(
        reverse("imports:mapping", args=[upload.pk]),
        {**chosen, first: "password", "on_match": "delete-all"},
    )

    assert response.status_code == 200
    assert "Select a valid choice. password is not one of the available choices." in _text(response)
    upload.refresh_from_db()
    assert upload.mapping is None and upload.on_match == "update"
    assert not SavedMapping.objects.exists()


def test_a_mapping_without_any_name_column_is_refused(client_for):
    client = client_for("ana")
    upload = _uploaded(client)
    mapping = client.get(reverse("imports:mapping", args=[upload.pk]))
    chosen = _selected(mapping)
    chosen = {
        name: "" if target in ("first_name", "last_name", "name") else target
        for name, target in chosen.items()
    }

    response = client.post(
        reverse("imports:mapping", args=[upload.pk]), {**chosen, "on_match": "update"}
    )

    assert response.status_code == 200
    assert "Choose the column that holds the name" in _text(response)
    upload.refresh_from_db()
    assert upload.mapping is None


@pytest.mark.parametrize("step", ["imports:mapping", "imports:preview"])
def test_an_upload_the_reader_no_longer_reads_starts_again_with_the_reason(client_for, org, step):
    """A stored upload is read again at every step; should it no longer read (a newer reader),
    the person is sent back to the upload form with the reason, never a 500."""
    upload = ImportUpload.objects.create(
        user=org["ana"], filename="old.csv", data=(FILES / "binary.csv").read_bytes()
    )
    client = client_for("ana")

    response = client.get(reverse(step, args=[upload.pk]), follow=True)

    assert response.redirect_chain == [(reverse("imports:contacts"), 302)]
    assert "old.csv: nothing imported. This file is not text." in _messages(response)
    assert not ImportUpload.objects.exists()
    assert client.post(reverse("imports:confirm", args=[upload.pk])).status_code == 404


def test_a_long_preview_lists_500_rows_and_says_how_many_more(client_for):
    rows = "".join(f"Person,Number{n},p{n}@example.com\r\n" for n in range(503))
    client = client_for("ana")
    _upload(client, "many.csv", data=("First name,Last name,E-mail\r\n" + rows).encode())
    upload = ImportUpload.objects.get()

    preview = client.get(reverse("imports:preview", args=[upload.pk]))

    assert len(_outcomes(preview)) == 500
    text = _text(preview)
    assert "503 new" in text
    assert "3 more rows not listed; the counts above include them." in text


def test_a_double_confirm_imports_once(client_for):
    client = client_for("ana")
    upload = _uploaded(client)
    url = reverse("imports:confirm", args=[upload.pk])

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == 302 and second.status_code == 404
    assert ImportBatch.objects.count() == 1
    assert Contact.objects.count() == 3


def test_uploads_older_than_a_day_are_cleared_by_the_next_upload(client_for, org):
    client = client_for("ana")
    old = _uploaded(client)
    ImportUpload.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2020))
    carla_s = ImportUpload.objects.create(user=org["carla"], filename="x.csv", data=b"a\n1\n")
    ImportUpload.objects.filter(pk=carla_s.pk).update(created_at=old.created_at.replace(year=2020))

    new = _uploaded(client)

    assert set(ImportUpload.objects.values_list("pk", flat=True)) == {new.pk, carla_s.pk}


# ---- whose is what ---------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["carla", "maria", "admin"])
def test_someone_else_s_upload_is_404_on_every_step(client_for, org, other):
    upload = _uploaded(client_for("ana"))
    client = client_for(other)

    answers = [
        client.get(reverse("imports:mapping", args=[upload.pk])),
        client.post(reverse("imports:mapping", args=[upload.pk]), {"on_match": "skip"}),
        client.get(reverse("imports:preview", args=[upload.pk])),
        client.post(reverse("imports:confirm", args=[upload.pk])),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert GOOGLE not in "".join(answer.content.decode() for answer in answers)
    upload.refresh_from_db()
    assert upload.on_match == "update" and upload.mapping is None
    assert not ImportBatch.objects.exists() and not Contact.objects.exists()


@pytest.mark.parametrize("other", ["carla", "ben", "maria"])
def test_someone_else_s_batch_is_404_and_not_in_their_history(client_for, org, other):
    batch = services.import_contacts(
        user=org["ana"], data=(FILES / GOOGLE).read_bytes(), filename=GOOGLE
    ).batch
    client = client_for(other)

    page = client.get(reverse("imports:batch", args=[batch.pk]))
    undo = client.post(reverse("imports:undo", args=[batch.pk]))
    history = client.get(reverse("imports:contacts"))

    assert page.status_code == 404 and undo.status_code == 404
    assert GOOGLE not in history.content.decode()
    assert f"batch-{batch.pk}" not in history.content.decode()
    batch.refresh_from_db()
    assert batch.undone_at is None and Contact.objects.count() == 3


def test_the_admin_sees_every_import_and_may_undo_one(client_for, org):
    batch = services.import_contacts(
        user=org["ana"], data=(FILES / GOOGLE).read_bytes(), filename=GOOGLE
    ).batch
    client = client_for("admin")

    history = client.get(reverse("imports:contacts"))
    page = client.get(reverse("imports:batch", args=[batch.pk]))
    undo = client.post(reverse("imports:undo", args=[batch.pk]))

    assert "Imports, everyone's" in _text(history)
    row = re.search(rf'<tr id="batch-{batch.pk}">(.*?)</tr>', history.content.decode(), re.S)
    assert f"<td>{org['ana']}</td>" in row.group(1)
    assert page.status_code == 200 and f"Import {batch.pk}: {GOOGLE}" in _text(page)
    assert undo.status_code == 302
    batch.refresh_from_db()
    assert batch.undone_by == org["admin"] and not Contact.objects.exists()


def test_undoing_an_undone_batch_says_so_and_changes_nothing(client_for, org):
    client = client_for("ana")
    upload = _uploaded(client)
    client.post(reverse("imports:confirm", args=[upload.pk]))
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:undo", args=[batch.pk]))
    batch.refresh_from_db()
    undone = (batch.undone_at, batch.undo_result)

    response = client.post(reverse("imports:undo", args=[batch.pk]), follow=True)

    assert response.status_code == 200
    assert f"Import {batch.pk} was already undone on" in _messages(response)
    batch.refresh_from_db()
    assert (batch.undone_at, batch.undo_result) == undone
    assert "Undo</button>" not in response.content.decode()


@pytest.mark.parametrize("url_name", ["imports:confirm", "imports:undo"])
def test_the_writes_refuse_get(client_for, url_name):
    assert client_for("ana").get(reverse(url_name, args=[1])).status_code == 405


def test_the_contacts_list_links_to_the_import_page(client_for):
    response = client_for("ana").get(reverse("contacts:list"))

    assert f'<a class="button" href="{reverse("imports:contacts")}">Import</a>' in (
        response.content.decode()
    )


# ---- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_the_history_takes_the_same_queries_for_1_and_20_imports(
    client_for, org, django_assert_num_queries, count
):
    people = [org["ana"], org["ben"], org["carla"]]
    for number in range(count):
        ImportBatch.objects.create(
            user=people[number % 3],
            filename=f"file-{number}.csv",
            counts={"new": number, "updated": 1, "unchanged": 0, "skipped": 0, "errors": 0},
            undone_by=org["maria"] if number % 2 else None,
            undone_at=timezone.now() if number % 2 else None,
        )
    client = client_for("admin")

    with django_assert_num_queries(2):
        response = client.get(reverse("imports:contacts"))

    assert response.content.decode().count('<tr id="batch-') == count
    assert "file-0.csv" in _text(response)
