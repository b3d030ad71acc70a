"""No lost edit when someone edits a contact in place while an import updates it (two threads,
each with its own database connection, released by one barrier), on SQLite and PostgreSQL.

The import plans inside its own transaction, from rows it has locked (PostgreSQL) or as
SQLite's only writer, and bumps each version it writes; an inline edit is a conditional UPDATE
on the version its page showed. So whichever goes first: an edit of another field survives
next to the import's value, and an edit of the same field either wins after the import or is
shown as a conflict; nothing is overwritten without a version and a history row of its own.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from imports import services
from tests.concurrency import at_once
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5
HX = {"HX-Request": "true"}


def people(org, n: int = 20) -> list[Contact]:
    return [
        ContactFactory(
            first_name=f"Person{i}",
            last_name="Racer",
            email=f"racer{i}@nordwind.example",
            job_title="Buyer",
            city="Kiel",
            owner=org["ana"],
        )
        for i in range(n)
    ]


def file_setting(title: str, n: int = 20) -> bytes:
    lines = ["First name,Last name,E-mail,Job title"]
    lines += [f"Person{i},Racer,racer{i}@nordwind.example,{title}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def ana(org) -> Client:
    client = Client()
    client.force_login(org["ana"])
    return client


def edit_during_import(ana: Client, user, contact: Contact, field: str, value: str, title: str):
    """The in-place edit as the page sends it (the value, and the version and value the page
    showed) and an import setting every job title, released together; (answer, result)."""
    contact.refresh_from_db()
    url = reverse("inline-edit", args=["contacts.Contact", contact.pk, field])
    data = {field: value, "version": contact.version, "original": getattr(contact, field)}
    return at_once(
        lambda: ana.post(url, data, headers=HX),
        lambda: services.import_contacts(user=user, data=file_setting(title), filename="u.csv"),
    )


def test_an_edit_of_another_field_survives_an_import_at_the_same_moment(org, ana):
    target = people(org)[7]
    for round_ in range(ROUNDS):
        city, title = f"Bremen {round_}", f"Head of Buying {round_}"

        answer, result = edit_during_import(ana, org["ana"], target, "city", city, title)

        assert answer.status_code == 200
        assert "inline-field conflict" not in answer.content.decode()  # other field: merged
        assert result.counts["updated"] == 20
        target.refresh_from_db()
        assert (target.city, target.job_title) == (city, title)
        assert Contact.objects.filter(job_title=title).count() == 20


def test_an_edit_of_the_imported_field_is_never_lost_silently(org, ana):
    target = people(org)[3]
    for round_ in range(ROUNDS):
        typed, imported = f"Typed {round_}", f"Imported {round_}"

        answer, result = edit_during_import(ana, org["ana"], target, "job_title", typed, imported)

        assert answer.status_code == 200
        conflict = "inline-field conflict" in answer.content.decode()
        target.refresh_from_db()
        history = list(target.history.order_by("history_date", "history_id"))
        # The import changes the title whichever goes first: it comes last (the edit, if it
        # was first, is in the history and the import's undo puts it back) or it was first
        # and the edit is shown as a conflict with the imported value.
        assert target.job_title == imported
        if conflict:
            assert imported in answer.content.decode()
            assert typed not in [h.job_title for h in history]
        else:
            assert typed in [h.job_title for h in history]
        versions = [h.version for h in history]
        assert versions == sorted(set(versions))  # each write had a version of its own
        assert result.counts["updated"] == 20
