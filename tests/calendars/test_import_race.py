"""No double import: the same calendar imported twice at the same moment (two threads, each with
its own database connection, released by one barrier — a double click, or cron's sync and
"Sync now" together) leaves each meeting once: the second to write finds everything unchanged,
as a later import of the same file does; it never half-writes and never raises."""

import pytest

from calendars import services
from contacts.models import Activity
from tests.calendars.conftest import ics
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("round_", range(3))
def test_the_same_file_imported_twice_at_once_creates_each_meeting_once(round_, people):
    ana = people["ana"]
    data = ics("google_export.ics")
    results = at_once(
        *[lambda: services.import_upload(user=ana, data=data, name="google_export.ics")] * 2
    )
    keys = list(
        Activity.all_objects.filter(calendar_source__owner=ana).values_list(
            "calendar_source_id", "external_id"
        )
    )
    assert keys and len(keys) == len(set(keys))
    first, second = sorted(results, key=lambda r: -r.created)
    assert first.created == len(keys)
    assert second.created == 0 and not second.errors
    # The loser reads exactly as the same file imported once more afterwards does.
    again = services.import_upload(user=ana, data=data, name="google_export.ics")
    counts = ("created", "updated", "cancelled", "unchanged")
    assert [getattr(second, c) for c in counts] == [getattr(again, c) for c in counts]
    assert again.unchanged >= len(keys)
