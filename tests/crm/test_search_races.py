"""A company renamed while one of its contacts or deals is edited, or a contact is moved into it
or added to it, by two people at once: a contact's search entry holds its company's name, so
both writes write that entry. Whichever commits first, the entry ends with both changes
(crm/search.py `refresh`, `_refresh_related`).

Each test holds the first write's transaction open while the second starts, so the order is
the one named, not a coin toss; on both databases."""

import threading
import time

import pytest
from django.db import connection, transaction

from contacts.models import Company, Contact
from crm.models import SearchEntry
from crm.records import record_create, record_update
from deals.models import Deal
from tests.factories import CompanyFactory, ContactFactory, DealFactory

pytestmark = pytest.mark.django_db(transaction=True)


def first_then_second(first, second, *, second_prepares=None):
    """`first` runs in a transaction kept open until `second` has had time to reach a lock that
    transaction holds; `second_prepares` runs in the second thread before `first` starts (a page
    read before the other person saved) and its result is passed to `second`."""
    prepared, started, errors = threading.Event(), threading.Event(), []

    def run_first():
        try:
            prepared.wait(10)
            with transaction.atomic():
                first()
                started.set()
                time.sleep(0.5)  # the second write is now waiting on this transaction's locks
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
            started.set()
        finally:
            connection.close()

    def run_second():
        try:
            state = second_prepares() if second_prepares else None
            prepared.set()
            started.wait(10)
            second(state) if second_prepares else second()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            prepared.set()
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.fixture
def people(org):
    company = CompanyFactory(name="Zephyr Werke", owner=org["ana"])
    contact = ContactFactory(
        first_name="Olga", last_name="Quast", company=company, owner=org["ana"]
    )
    deal = DealFactory(title="Quast roof", company=company, owner=org["ana"])
    return org, company, contact, deal


def rename_company(org, pk):
    company = Company.objects.get(pk=pk)
    company.name = "Yonder Werke"
    record_update(record=company, by=org["ana"], fields=["name"])


def read_contact(pk):
    return Contact.objects.select_related("company").get(pk=pk)


def rename_contact(org, contact):
    contact.last_name = "Vogt"
    record_update(record=contact, by=org["ben"], fields=["last_name"])


def terms(kind, pk):
    return SearchEntry.objects.get(kind=kind, object_id=pk).terms.split()


def test_a_contact_saved_first_then_its_company_renamed(people):
    org, company, contact, _ = people

    first_then_second(
        lambda: rename_contact(org, read_contact(contact.pk)),
        lambda: rename_company(org, company.pk),
    )

    words = terms("contact", contact.pk)
    assert {"vogt", "yonder"} <= set(words), words
    assert not {"quast", "zephyr"} & set(words), words


def test_a_company_renamed_first_while_its_contact_was_open_in_a_form(people):
    """The contact was read, with its company, before the rename committed: its save must not
    write the company's old name back into the entry."""
    org, company, contact, _ = people

    first_then_second(
        lambda: rename_company(org, company.pk),
        lambda opened: rename_contact(org, opened),
        second_prepares=lambda: read_contact(contact.pk),
    )

    words = terms("contact", contact.pk)
    assert {"vogt", "yonder"} <= set(words), words
    assert not {"quast", "zephyr"} & set(words), words


def test_a_deal_retitled_first_then_its_company_renamed(people):
    org, company, _, deal = people

    def retitle():
        fresh = Deal.objects.select_related("company").get(pk=deal.pk)
        fresh.title = "Vogt roof"
        record_update(record=fresh, by=org["ana"], fields=["title"])

    first_then_second(retitle, lambda: rename_company(org, company.pk))

    words = terms("deal", deal.pk)
    assert {"vogt", "yonder"} <= set(words), words
    assert not {"quast", "zephyr"} & set(words), words


def move_contact(org, pk, company_pk):
    contact = Contact.objects.get(pk=pk)
    contact.company = Company.objects.get(pk=company_pk)
    record_update(record=contact, by=org["ben"], fields=["company"])


@pytest.fixture
def elsewhere(people):
    org, company, _, _ = people
    other = CompanyFactory(name="Alder Werke", owner=org["ana"])
    moving = ContactFactory(first_name="Ida", last_name="Moss", company=other, owner=org["ana"])
    return moving


def test_a_company_renamed_first_while_a_contact_is_moved_into_it(people, elsewhere):
    """The rename re-indexes the contacts it sees, and the moved one is not yet among them: the
    move waits for the rename and reads the company's new name."""
    org, company, _, _ = people

    first_then_second(
        lambda: rename_company(org, company.pk),
        lambda: move_contact(org, elsewhere.pk, company.pk),
    )

    words = terms("contact", elsewhere.pk)
    assert "yonder" in words and not {"zephyr", "alder"} & set(words), words


def test_a_contact_moved_first_into_a_company_then_renamed(people, elsewhere):
    org, company, _, _ = people

    first_then_second(
        lambda: move_contact(org, elsewhere.pk, company.pk),
        lambda: rename_company(org, company.pk),
    )

    words = terms("contact", elsewhere.pk)
    assert "yonder" in words and not {"zephyr", "alder"} & set(words), words


def test_a_contact_added_to_a_company_while_it_is_renamed(people):
    org, company, _, _ = people
    added = {}

    def add_contact():
        added["contact"] = record_create(
            record=Contact(first_name="Una", last_name="Roth", company_id=company.pk),
            by=org["ben"],
        )

    first_then_second(lambda: rename_company(org, company.pk), add_contact)

    words = terms("contact", added["contact"].pk)
    assert "yonder" in words and "zephyr" not in words, words


def test_a_deal_moved_into_a_company_while_it_is_renamed(people):
    """A deal moved into a company being renamed reads its new name, as a contact does."""
    org, company, _, _ = people
    other = CompanyFactory(name="Alder Werke", owner=org["ana"])
    deal = DealFactory(title="Moss roof", company=other, owner=org["ana"])

    def move_deal():
        fresh = Deal.objects.get(pk=deal.pk)
        fresh.company = Company.objects.get(pk=company.pk)
        record_update(record=fresh, by=org["ana"], fields=["company"])

    first_then_second(lambda: rename_company(org, company.pk), move_deal)

    words = terms("deal", deal.pk)
    assert "yonder" in words and not {"zephyr", "alder"} & set(words), words
