"""crm.fast_insert writes rows exactly as bulk_create does — same values read back, new keys
set on the instances — on SQLite and PostgreSQL, whatever the field types."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from contacts.models import Company, Contact, ContactHandle
from crm.fast_insert import insert
from crm.models import SearchEntry
from deals.models import Deal
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)


def contacts(org, company, n: int, tag: str) -> list[Contact]:
    return [
        Contact(
            first_name=f"Zoë {tag}",
            last_name=f"Müller {i}",
            company=company,
            email=f"zoe{i}.{tag}@example.com",
            emails=[{"label": "home", "value": f"z{i}@home.example"}],
            phone="+49 30 1234567",
            birthday="--04-23",
            notes="Line one\nline two; 'quoted' \"too\" = + @",
            custom={"region": "north", "score": 3.5, "tags": ["a", "b"], "none": None},
            owner=org["ana"],
            created_by=org["ana"],
            updated_by=org["ben"],
            created_at=WHEN,
            updated_at=WHEN,
        )
        for i in range(n)
    ]


def readback(model, objs) -> list[dict]:
    rows = model.all_objects if hasattr(model, "all_objects") else model.objects
    found = {obj.pk: obj for obj in rows.filter(pk__in=[o.pk for o in objs])}
    skip = {"id", "created_at", "updated_at"}  # differ by design: each row has its own pk
    return [
        {k: v for k, v in model_to_dict(found[o.pk]).items() if k not in skip}
        | {"created_at": found[o.pk].created_at, "updated_at": found[o.pk].updated_at}
        for o in objs
    ]


def test_contacts_read_back_exactly_as_bulk_create_writes_them(org):
    company = Company.objects.create(name="Nordwind", owner=org["ana"])
    fast, slow = contacts(org, company, 30, "x"), contacts(org, company, 30, "x")
    for obj in fast + slow:
        obj.normalize()

    insert(Contact, fast, batch=7)  # several batches
    Contact.objects.bulk_create(slow)

    assert all(obj.pk for obj in fast) and len({obj.pk for obj in fast}) == 30
    assert readback(Contact, fast) == readback(Contact, slow)
    assert Contact.objects.get(pk=fast[3].pk).last_name == "Müller 3"  # keys match their rows
    assert Contact.objects.get(pk=fast[3].pk).updated_at == WHEN  # auto_now as bulk_create
    later = Contact.objects.create(last_name="Later", owner=org["ana"])  # the keys' sequence
    assert later.pk > max(obj.pk for obj in fast + slow)  # moved on past the rows written


def test_decimals_dates_and_foreign_keys_of_a_deal_round_trip(org):
    template = DealFactory(owner=org["ana"])
    made = [
        Deal(
            title=f"Deal {i}",
            pipeline=template.pipeline,
            stage=template.stage,
            amount=Decimal("12345.67") * i,
            expected_close=datetime(2027, 1, 31).date(),
            owner=org["ana"],
            created_by=org["ana"],
            updated_by=org["ana"],
            closed_at=WHEN,
            title_normalized=f"deal {i}",
        )
        for i in range(5)
    ]

    insert(Deal, made)

    back = Deal.all_objects.get(pk=made[4].pk)
    assert back.amount == Decimal("49382.68")
    assert back.expected_close == datetime(2027, 1, 31).date()
    assert back.closed_at == WHEN
    assert back.stage_id == template.stage_id and back.owner_id == org["ana"].pk


def test_rows_without_keys_needed_and_one_statement_per_batch(org):
    company = Company.objects.create(name="Nordwind", owner=org["ana"])
    people = contacts(org, company, 3, "y")
    insert(Contact, people)
    handles = [
        ContactHandle(contact_id=p.pk, kind="email", normalized=f"{i}@x.example")
        for i, p in enumerate(people)
    ]
    entries = [
        SearchEntry(
            kind="contact",
            object_id=p.pk,
            owner_id=p.owner_id,
            title="T",
            title_sort="t",
            url="/c/",
            terms="zoe muller",
        )
        for p in people
    ]

    with CaptureQueriesContext(connection) as queries:
        insert(ContactHandle, handles)
        insert(SearchEntry, entries)

    writes = [q for q in queries if q["sql"].startswith(("INSERT", "COPY"))]
    assert len(writes) == 2  # one per model (PostgreSQL: COPY, after one query for the keys)
    assert len(queries) == (4 if connection.vendor == "postgresql" else 2)
    assert ContactHandle.objects.filter(contact__in=people).count() == 3
    assert (
        SearchEntry.objects.filter(kind="contact", object_id__in=[p.pk for p in people]).count()
        == 3
    )


def test_nothing_to_write_is_no_query(org):
    with CaptureQueriesContext(connection) as queries:
        insert(Contact, [])
    assert len(queries) == 0
