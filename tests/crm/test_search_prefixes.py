"""Two or three letters typed: on PostgreSQL answered from the prefix table that triggers keep
beside the search entries (crm.models.SearchPrefix, migration crm 0012); on SQLite from FTS5.

Through the search page, on both databases: what a short search finds follows every write (a
rename, a new owner, a delete and its undo). On PostgreSQL: the table matches exactly what the
words index matches, after single writes and after bulk loads, and short searches read it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import search, visibility
from crm.models import SearchEntry, SearchPrefix, VisibilityPolicy
from crm.records import record_delete, record_restore, record_update
from tests.crm.test_search import hit
from tests.crm.test_search import search as found
from tests.factories import CompanyFactory, ContactFactory, DealFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the prefix table is PostgreSQL's"
)


@pytest.fixture
def team_policy(db):
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"contact_see": "team"})
    visibility.forget_policy()


@pytest.fixture
def quirin(org, team_policy):
    return ContactFactory(
        first_name="Quirin", last_name="Xylander", email="qx@example.com", owner=org["ana"]
    )


# ---- through the search page, on both databases ---------------------------------------------


@pytest.mark.parametrize("q", ["xy", "XY", "xyl", "qu", "Qui"])
def test_two_or_three_letters_find_a_contact_by_the_start_of_a_name(client_for, quirin, q):
    assert hit(quirin) in found(client_for("ana"), q)


def test_a_rename_changes_what_two_letters_find(client_for, org, quirin):
    quirin.last_name = "Brandt"
    record_update(record=quirin, by=org["ana"], fields=["last_name"])
    client = client_for("ana")

    assert hit(quirin) not in found(client, "xy")
    assert hit(quirin) in found(client, "br")


def test_a_new_owner_changes_who_finds_it_by_two_letters(client_for, org, quirin):
    assert hit(quirin) in found(client_for("ben"), "xy")  # North's, as ana is

    quirin.owner = org["carla"]
    record_update(record=quirin, by=org["admin"], fields=["owner"])

    assert hit(quirin) not in found(client_for("ben"), "xy")
    assert hit(quirin) in found(client_for("carla"), "xy")


def test_a_deleted_record_is_not_found_by_two_letters_until_it_is_restored(client_for, org, quirin):
    record_delete(record=quirin, by=org["ana"])
    assert hit(quirin) not in found(client_for("ana"), "xy")

    record_restore(record=quirin, by=org["ana"])
    assert hit(quirin) in found(client_for("ana"), "xy")


def test_the_contacts_list_filters_by_three_letters(client_for, quirin):
    other = ContactFactory(first_name="Pat", last_name="Other", owner=quirin.owner)
    response = client_for("ana").get(reverse("contacts:list"), {"q": "xyl"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Xylander" in body and other.last_name not in body


# ---- PostgreSQL: the table itself -----------------------------------------------------------


def varied_records(owner):
    """Entries whose words start with letters, digits, folded accents, and one-letter words."""
    company = CompanyFactory(name="Ännchen & Söhne AG", owner=owner)
    return [
        company,
        ContactFactory(
            first_name="Anna-Lena",
            last_name="Müller",
            email="a.mueller@aennchen.example",
            phone="+49 30 1234567",
            company=company,
            owner=owner,
        ),
        ContactFactory(first_name="J.", last_name="O'Neil", email="j@x.io", owner=owner),
        ContactFactory(first_name="Agent", last_name="007x", email="007@mi6.example", owner=owner),
        DealFactory(title="Q4 rollout 2027, phase b2", company=company, owner=owner),
    ]


def short_prefixes() -> set[str]:
    """Every two- and three-character start of every word the entries hold, and a few absent."""
    starts = {"zq", "qqq", "a9"}
    for terms in SearchEntry.objects.values_list("terms", flat=True):
        for word in re.split(r"[^0-9a-z]+", terms):
            starts.update(word[:n] for n in (2, 3) if len(word) >= n)
    return {s for s in starts if s[0].isalpha()}


def assert_same_as_the_words_index():
    for prefix in sorted(short_prefixes()):
        by_prefix = set(
            SearchPrefix.objects.filter(prefix=prefix).values_list("entry_id", flat=True)
        )
        by_words = set(
            SearchEntry.objects.filter(search._match_condition([prefix])).values_list(
                "pk", flat=True
            )
        )
        assert by_prefix == by_words, prefix


@on_postgresql
def test_the_table_matches_what_the_words_index_matches(org):
    varied_records(org["ana"])

    assert SearchPrefix.objects.exists()
    assert_same_as_the_words_index()


@on_postgresql
def test_the_table_is_rebuilt_with_the_entries_by_a_bulk_load(org):
    records = varied_records(org["ana"])

    search.rebuild()  # deletes every entry, then writes them again by COPY (crm/fast_insert.py)
    assert_same_as_the_words_index()
    search.refresh_many([records[1], records[2]])
    assert_same_as_the_words_index()
    rows = SearchPrefix.objects.filter(kind="contact", object_id=records[1].pk)
    assert set(rows.values_list("prefix", flat=True)) >= {"an", "ann", "mu", "mul", "le", "len"}
    assert set(rows.values_list("owner_id", flat=True)) == {org["ana"].pk}


@on_postgresql
def test_emptying_the_entries_empties_the_table(org):
    varied_records(org["ana"])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a flush runs after the writes' commit
        cursor.execute("TRUNCATE crm_searchentry")  # as a flush does

    assert not SearchPrefix.objects.exists()


@on_postgresql
@pytest.mark.parametrize(("q", "reads_it"), [("mu", True), ("MÜL", True), ("mull", False)])
def test_only_a_short_word_is_read_from_the_table(client_for, org, q, reads_it):
    varied_records(org["ana"])
    client = client_for("ana")
    with CaptureQueriesContext(connection) as queries:
        body = found(client, q)

    assert "Müller" in body
    assert any("crm_searchprefix" in query["sql"] for query in queries) is reads_it


@on_postgresql
@pytest.mark.parametrize("q", ["12", "a1 b", "mu ll"])
def test_digits_and_several_words_go_to_the_words_index(org, q):
    varied_records(org["ana"])

    assert not search._prefix_table(search._query_tokens(q))


# ---- under every policy, and two writes at once ---------------------------------------------


@pytest.mark.parametrize(
    ("level", "finders"),
    [
        ("own", {"ana", "maria", "admin"}),  # maria manages ana's team
        ("team", {"ana", "ben", "maria", "admin"}),
        ("everyone", {"ana", "ben", "maria", "carla", "sam", "admin"}),
    ],
)
def test_two_letters_find_only_what_the_policy_lets_each_person_see(
    client_for, quirin, level, finders
):
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"contact_see": level})
    visibility.forget_policy()

    for name in ("ana", "ben", "maria", "carla", "sam", "admin"):
        assert (hit(quirin) in found(client_for(name), "xy")) is (name in finders), name


def race_two_renames(org):
    """A company renamed and its contact renamed at the same moment, by two people: both writes
    refresh the contact's search entry (the company's name is among its words)."""
    from tests.concurrency import at_once

    company = CompanyFactory(name="Zephyr Werke", owner=org["ana"])
    contact = ContactFactory(
        first_name="Olga",
        last_name="Quast",
        email="olga@example.com",
        company=company,
        owner=org["ana"],
    )

    def rename_company():
        company.name = "Yonder Werke"
        record_update(record=company, by=org["ana"], fields=["name"])

    def rename_contact():
        fresh = type(contact).objects.get(pk=contact.pk)
        fresh.last_name = "Vogt"
        record_update(record=fresh, by=org["ben"], fields=["last_name"])

    at_once(rename_company, rename_contact)
    return SearchEntry.objects.get(kind="contact", object_id=contact.pk)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_prefixes_follow_their_entry_when_two_writes_race(org):
    entry = race_two_renames(org)

    assert_same_as_the_words_index()
    words = set(re.split(r"[^0-9a-z]+", entry.terms))
    prefixes = set(SearchPrefix.objects.filter(entry_id=entry.pk).values_list("prefix", flat=True))
    assert prefixes == {w[:n] for w in words for n in (2, 3) if len(w) >= n and w[0].isalpha()}


@pytest.mark.django_db(transaction=True)
def test_a_company_rename_and_its_contact_s_rename_at_once_leave_both_found(org):
    entry = race_two_renames(org)

    assert "vogt" in entry.terms and "yonder" in entry.terms
    assert "quast" not in entry.terms and "zephyr" not in entry.terms
