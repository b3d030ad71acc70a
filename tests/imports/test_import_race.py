"""No double import: the same contacts file imported twice at the same moment (two threads,
each with its own database connection, released by one barrier — a double click on Import, or
two people with the same export) leaves each person once; the second reads as a re-import."""

from pathlib import Path

import pytest

from contacts.models import Company, Contact
from imports import services
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)
GOOGLE = (
    Path(__file__).resolve().parent.parent / "contacts" / "import_files" / "google_contacts.csv"
)


@pytest.mark.parametrize("round_", range(3))
def test_the_same_file_imported_twice_at_once_creates_each_person_once(round_, org):
    data = GOOGLE.read_bytes()
    users = [org["ana"], org["ben"]]  # teammates: each sees what the other imports
    results = at_once(
        *(
            lambda user=user: services.import_contacts(
                user=user, data=data, filename="google_contacts.csv"
            )
            for user in users
        )
    )
    assert Contact.objects.count() == 3
    assert Company.objects.filter(name="Nordwind GmbH").count() == 1
    first, second = sorted(results, key=lambda r: -r.counts["new"])
    assert first.counts["new"] == 3
    # The second waited for the first and found its people: visible, not theirs to change
    # (the default policy: see the team's, change one's own), so skipped, not created again.
    assert second.counts["new"] == 0 and second.counts["companies_new"] == 0
