"""Custom values in SQL (crm/custom_sql.py): which indexes a field gets, how lists read them, and
that the lists' answers stay the same whichever way the database is told to read.

Speed itself is measured by bench/ at the large size, never here; these tests pin the shapes
the bench relies on (the index a sort or filter can use, the SQL a filter writes)."""

import pytest
from django.db import connection
from django.urls import reverse

from crm import custom_fields, custom_sql
from crm.fields import CustomColumn
from crm.models import CustomField
from deals.models import Deal
from tests.factories import DealFactory

SEATS = {"model": "deal", "label": "Seats", "type": "number", "in_list": "on", "filterable": "on"}


def _indexes(table):
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def _seats_indexes():
    return {name for name in _indexes("deals_deal") if name.endswith("_seats")}


def _spec(key):
    custom_fields.forget()
    return next(s for s in custom_fields.all_fields() if s.key == key)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(row) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test-sized table: make it choose
        cursor.execute("EXPLAIN " + sql, params)
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def seats(client_for):
    response = client_for("admin").post(reverse("settings-field-create"), SEATS)
    assert response.status_code == 302
    return CustomField.objects.get(key="seats")


@pytest.fixture
def deals(org, seats):
    ana = org["ana"]
    for title, custom in [
        ("Small", {"seats": 5, "signed": "2026-01-10"}),
        ("Big", {"seats": 120, "signed": "2026-06-01"}),
        ("Bigger", {"seats": 900, "signed": "2026-11-30"}),
        ("Unknown", {}),
    ]:
        DealFactory(title=title, owner=ana, custom=custom)


def titles(client, **params) -> list[str]:
    response = client.get(reverse("deals:list"), params)
    return [row.record.title for row in response.context["table"].paginated_rows]


# ---- indexes ------------------------------------------------------------------------------------


def test_postgresql_gets_a_second_index_for_the_descending_sort_and_archiving_drops_both(
    seats, client_for
):
    if connection.vendor == "sqlite":  # SQLite reads one index either way, empty values last
        assert _seats_indexes() == {"cf_deals_deal_seats"}
    else:
        assert _seats_indexes() == {"cf_deals_deal_seats", "cfd_deals_deal_seats"}
    client_for("admin").post(reverse("settings-field-archive", args=[seats.pk]), {"archived": "1"})
    assert _seats_indexes() == set()


def test_sync_all_brings_back_an_index_a_table_rebuild_lost(seats):
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "cf_deals_deal_seats"')
    assert "indexed deals_deal.seats" in custom_sql.sync_all()
    assert "cf_deals_deal_seats" in _indexes("deals_deal")


@pytest.mark.parametrize("descending", [False, True])
def test_a_sort_by_a_custom_number_reads_an_index_in_both_directions(seats, descending):
    ordered, handled = CustomColumn(_spec("seats")).order(Deal.objects.all(), descending)
    plan = _plan(ordered[:26])
    second = descending and connection.vendor == "postgresql"
    assert handled and ("cfd_deals_deal_seats" if second else "cf_deals_deal_seats") in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_empty_values_sort_last_both_ways(deals, client_for):
    client = client_for("ana")
    assert titles(client, sort="custom_seats") == ["Small", "Big", "Bigger", "Unknown"]
    assert titles(client, sort="-custom_seats") == ["Bigger", "Big", "Small", "Unknown"]


# ---- filters ------------------------------------------------------------------------------------


def test_a_range_filters_by_either_end_or_both(deals, client_for):
    client = client_for("ana")
    assert sorted(titles(client, custom_seats_min="100")) == ["Big", "Bigger"]
    assert sorted(titles(client, custom_seats_max="500")) == ["Big", "Small"]
    assert titles(client, custom_seats_min="100", custom_seats_max="500") == ["Big"]
    assert titles(client, custom_seats_min="500", custom_seats_max="100") == []


def test_on_sqlite_a_filter_matching_few_rows_reads_the_index_and_many_walk_the_list(
    deals, monkeypatch
):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's planner reads its histogram of the expression instead")
    spec = _spec("seats")
    rows = Deal.objects.order_by("-updated_at")

    few = custom_sql.filtered(rows, spec, gte=100, lte=500)
    sql = str(few.query)
    assert "likelihood(" in sql and "cf_deals_deal_seats" in _plan(few)

    monkeypatch.setattr(custom_sql, "PROBE_ROWS", 1)  # one match is "many" now
    many = custom_sql.filtered(rows, spec, gte=100, lte=500)
    assert "(+JSON_EXTRACT(" in str(many.query)
    assert "cf_deals_deal_seats" not in _plan(many)
    assert [d.title for d in many] == [d.title for d in few] == ["Big"]
