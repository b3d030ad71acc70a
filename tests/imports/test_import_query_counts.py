"""An import costs the same number of queries for 1 row as for 30 (every relation filled,
every row a match on the second run): look-ups and writes are batched, never per row. (30,
not more: SQLite takes at most 999 parameters per statement, so a bulk INSERT of 37 or more
activities is split in two there — batched still, but not one literal on both databases.)"""

from __future__ import annotations

import pytest
from django.db import connection

from contacts.models import Activity, Company
from deals.models import Deal
from tests.factories import CompanyFactory, ContactFactory, PipelineFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    """50 companies and contacts of ana's, a pipeline with two stages."""
    ana = org["ana"]
    pipeline = PipelineFactory(name="Sales")
    StageFactory(pipeline=pipeline, name="Lead", order=1)
    StageFactory(pipeline=pipeline, name="Won", order=2, is_won=True)
    for n in range(50):
        company = CompanyFactory(name=f"Firm {n}", owner=ana)
        ContactFactory(first_name="P", last_name=f"N{n}", email=f"p{n}@firm.example",
                       company=company, owner=ana)  # fmt: skip


FILES = {
    "companies": (
        "Name,Website,Phone,City,Owner",
        lambda n: f"New firm {n},firm{n}.example,030 {1000 + n},Berlin,ben",
    ),
    "deals": (
        "Title,Company,Contact,Pipeline,Stage,Amount,Expected close,Owner",
        lambda n: f"Deal {n},Firm {n},p{n}@firm.example,Sales,Won,{n}00,2027-01-01,ben",
    ),
    "activities": (
        "ID,Type,Subject,Date,Done,Contacts,Company,Deal,Owner",
        lambda n: f"ID-{n},call,Call {n},2026-11-02 10:00,yes,p{n}@firm.example,Firm {n},,ben",
    ),
}
# (first import, second import: all unchanged), whatever the number of rows
EXPECTED = {"companies": (17, 10), "deals": (20, 15), "activities": (19, 18)}
# PostgreSQL adds the advisory lock (imports/services.py) to each import, and to a first import
# the queries taking the keys of the new records and of their import records from their
# sequences (crm/fast_insert.py).
POSTGRESQL = connection.vendor == "postgresql"
EXTRA = {"companies": (3, 1), "deals": (3, 1), "activities": (3, 1)} if POSTGRESQL else {}


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("kind", sorted(FILES))
def test_an_import_s_queries_do_not_grow_with_its_rows(
    kind, rows, world, import_records, write_csv, django_assert_num_queries
):
    header, line = FILES[kind]
    path = write_csv(header, *(line(n) for n in range(rows)))
    first, second = (
        count + extra for count, extra in zip(EXPECTED[kind], EXTRA.get(kind, (0, 0)), strict=True)
    )
    with django_assert_num_queries(first):
        result = import_records(kind, path, "maria")
    assert (result["new"], result["errors"]) == (rows, [])
    with django_assert_num_queries(second):
        again = import_records(kind, path, "maria")
    assert again["unchanged"] == rows
    model = {"companies": Company, "deals": Deal, "activities": Activity}[kind]
    assert model.objects.filter(owner__username="ben").count() == rows
