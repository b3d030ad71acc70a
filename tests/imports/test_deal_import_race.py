"""No double import of deals: the same deals file imported twice at the same moment (two
threads, each with its own database connection, released by one barrier) creates each deal
and its new company once; the second import reads the first one's deals as matches."""

import pytest

from contacts.models import Company
from deals.models import Deal
from imports import services
from tests.concurrency import at_once
from tests.factories import PipelineFactory, StageFactory

pytestmark = pytest.mark.django_db(transaction=True)
FILE = (
    b"Title,Company,Stage,Amount\r\n"
    b"Rollout,Racing GmbH,Lead,100\r\n"
    b"Support,Racing GmbH,Won,200\r\n"
    b"Licences,,,300\r\n"
)


@pytest.mark.parametrize("round_", range(3))
def test_the_same_deals_file_imported_twice_at_once_creates_each_deal_once(round_, org):
    pipeline = PipelineFactory(name="Sales")
    StageFactory(pipeline=pipeline, name="Lead", order=1)
    StageFactory(pipeline=pipeline, name="Won", order=2, is_won=True)
    users = [org["ana"], org["ben"]]  # teammates: each sees what the other imports
    results = at_once(
        *(
            lambda user=user: services.import_records(
                kind="deal", user=user, data=FILE, filename="deals.csv"
            )
            for user in users
        )
    )
    assert sorted(Deal.objects.values_list("title", flat=True)) == [
        "Licences",
        "Rollout",
        "Support",
    ]
    assert Company.objects.filter(name="Racing GmbH").count() == 1
    first, second = sorted(results, key=lambda r: -r.counts["new"])
    assert first.counts["new"] == 3 and first.counts["companies_new"] == 1
    # The second waited for the first and found its deals: visible, not theirs to change.
    assert second.counts["new"] == 0 and second.counts["companies_new"] == 0
    assert second.counts["unchanged"] == 3
