"""No double import: the same contacts file imported twice at the same moment (two threads,
each with its own database connection, released by one barrier — a double click on Import, or
two people with the same export) leaves each person once; the second reads as a re-import."""

import threading
from pathlib import Path

import pytest
from django.db import connection

from contacts.models import Company, Contact
from imports import services

pytestmark = pytest.mark.django_db(transaction=True)
GOOGLE = (
    Path(__file__).resolve().parent.parent / "contacts" / "import_files" / "google_contacts.csv"
)


@pytest.mark.parametrize("round_", range(3))
def test_the_same_file_imported_twice_at_once_creates_each_person_once(round_, org):
    data = GOOGLE.read_bytes()
    users = [org["ana"], org["ben"]]  # teammates: each sees what the other imports
    barrier = threading.Barrier(2)
    results, errors = [None, None], []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = services.import_contacts(
                user=users[i], data=data, filename="google_contacts.csv"
            )
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Contact.objects.count() == 3
    assert Company.objects.filter(name="Nordwind GmbH").count() == 1
    first, second = sorted(results, key=lambda r: -r.counts["new"])
    assert first.counts["new"] == 3
    # The second waited for the first and found its people: visible, not theirs to change
    # (the default policy: see the team's, change one's own), so skipped, not created again.
    assert second.counts["new"] == 0 and second.counts["companies_new"] == 0
