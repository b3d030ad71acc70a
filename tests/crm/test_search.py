"""Global search (`search`, `?q=`): what it finds, for whom, and what it costs."""

import pytest
from django.urls import reverse

from crm import visibility
from crm.models import VisibilityPolicy
from crm.records import record_delete, record_restore, record_update
from tests.factories import CompanyFactory, ContactFactory

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def search(client, q: str) -> str:
    """The as-you-type dropdown: only the results fragment."""
    response = client.get(reverse("search"), {"q": q}, headers=HX)
    assert response.status_code == 200
    return response.content.decode()


def hit(record) -> str:
    return f'<a href="{record.get_absolute_url()}">'


# ---- what it finds -------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["nora", "Nora", "NORA SECRET", "secretname", "Secretn"])
def test_search_finds_a_contact_by_the_start_of_their_names_in_any_case(
    client_for, north_records, q
):
    body = search(client_for("ana"), q)

    assert hit(north_records["contact"]) in body
    assert "<h3>Contacts</h3>" in body


@pytest.mark.parametrize("q", ["NORA@NORDWIND.EXAMPLE", "Nora@Nordwind.example", "nora@nordwind"])
def test_search_finds_a_contact_by_email_in_another_case(client_for, north_records, q):
    body = search(client_for("ana"), q)

    assert hit(north_records["contact"]) in body


@pytest.mark.parametrize(
    "q",
    [
        "+49 30 1234567",  # as stored
        "+49 (30) 123-4567",  # punctuated: contacts/normalize.py promises these match
        "0049 30 1234567",  # a leading 00 is read as +
        "0049-30-1234567",
        "49301234567",
        "30 1234567",  # without the country code
        "1234567",  # the local part alone
    ],
)
def test_search_finds_a_contact_by_phone_in_another_format(client_for, north_records, q):
    body = search(client_for("ana"), q)

    assert hit(north_records["contact"]) in body


def test_search_finds_a_company_its_people_and_its_deals_by_the_company_name(
    client_for, north_records
):
    body = search(client_for("ana"), "nordwind")

    assert hit(north_records["company"]) in body
    assert hit(north_records["contact"]) in body
    assert hit(north_records["deal"]) in body
    assert body.index("<h3>Companies</h3>") >= 0
    assert "<h3>Deals</h3>" in body


def test_search_finds_a_deal_by_its_title(client_for, north_records):
    body = search(client_for("ana"), "rollout")

    assert hit(north_records["deal"]) in body


@pytest.mark.parametrize("q", ["ecret", "ordwind", "ora"])
def test_search_matches_the_start_of_words_not_the_middle(client_for, north_records, q):
    """SQLite and PostgreSQL alike: a word prefix, as the FTS5 and GIN indexes serve it."""
    body = search(client_for("ana"), q)

    assert hit(north_records["contact"]) not in body


@pytest.mark.parametrize("q", ["muller", "Müller", "MUL", "grunwald"])
def test_search_finds_a_company_name_with_accents_typed_with_or_without_them(client_for, org, q):
    company = CompanyFactory(name="Müller & Grünwald", owner=org["ana"])
    contact = ContactFactory(last_name="Brandt", company=company, owner=org["ana"])

    body = search(client_for("ana"), q)

    assert hit(company) in body
    assert hit(contact) in body  # found by the company's name it quotes


def test_search_follows_a_renamed_company_to_its_people(client_for, org, north_records):
    company = north_records["company"]
    company.name = "Ostsee Logistik"
    record_update(record=company, by=org["ana"], fields=["name"])
    client = client_for("ana")

    assert hit(north_records["contact"]) in search(client, "ostsee")
    assert hit(north_records["contact"]) not in search(client, "nordwind gmbh")


def test_search_follows_a_changed_email(client_for, org, north_records):
    contact = north_records["contact"]
    contact.email = "kontakt@ostsee.example"
    record_update(record=contact, by=org["ana"], fields=["email"])

    assert hit(contact) in search(client_for("ana"), "KONTAKT@ostsee")


def test_a_deleted_contact_is_not_found_until_it_is_restored(client_for, org, north_records):
    contact = north_records["contact"]
    client = client_for("ana")

    record_delete(record=contact, by=org["ana"])
    assert hit(contact) not in search(client, "secretname")

    record_restore(record=contact, by=org["ana"])
    assert hit(contact) in search(client, "secretname")


def test_a_search_that_matches_nothing_says_so(client_for, north_records):
    body = search(client_for("ana"), "zzzz")

    assert "Nothing found for “zzzz”." in body
    assert "<h3>" not in body


@pytest.mark.parametrize(
    "q", ["%%", "__", "'; DROP TABLE crm_user;--", "(((", "**", "a AND b", "NEAR(x y)"]
)
def test_search_characters_with_a_meaning_in_sql_or_fts_match_nothing_literally(
    client_for, north_records, q
):
    body = search(client_for("ana"), q)

    assert 'id="search-results"' in body
    assert hit(north_records["contact"]) not in body


@pytest.mark.parametrize("q", ['"nora', "nora*", "nora)", "(nora"])
def test_search_ignores_punctuation_around_a_name(client_for, north_records, q):
    assert hit(north_records["contact"]) in search(client_for("ana"), q)


def test_a_very_long_query_is_answered(client_for, north_records):
    body = search(client_for("ana"), "nora " * 100)

    assert 'id="search-results"' in body


# ---- short queries -------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["n", " n ", "é"])
def test_a_query_of_one_character_asks_for_at_least_two(client_for, north_records, q):
    body = search(client_for("ana"), q)

    assert "Type at least two characters." in body
    assert hit(north_records["contact"]) not in body


def test_an_empty_query_shows_no_message_and_no_results(client_for, north_records):
    body = search(client_for("ana"), "")

    assert "at least two characters" not in body
    assert "Nothing found" not in body
    assert "<h3>" not in body


# ---- who finds what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q", ["nora", "secretname", "nora@nordwind.example", "+49 30 1234567", "nordwind", "rollout"]
)
def test_an_outsider_never_finds_another_teams_records(client_for, north_records, q):
    body = search(client_for("carla"), q)

    for record in ("contact", "company", "deal"):
        assert hit(north_records[record]) not in body
    assert "Secretname" not in body
    assert "Nothing found for" in body


def test_another_teams_manager_never_finds_them_either(client_for, north_records):
    body = search(client_for("sam"), "nordwind")

    assert "Nordwind" not in body


@pytest.mark.parametrize("username", ["ben", "maria", "admin"])
def test_the_team_its_manager_and_the_admin_find_a_reps_contact(
    client_for, north_records, username
):
    assert hit(north_records["contact"]) in search(client_for(username), "secretname")


def test_each_user_finds_only_their_own_side_of_a_shared_name(client_for, org):
    north = ContactFactory(first_name="Kim", last_name="Twin", owner=org["ana"])
    south = ContactFactory(first_name="Kim", last_name="Twin", owner=org["carla"])

    ana_body = search(client_for("ana"), "kim twin")
    carla_body = search(client_for("carla"), "kim twin")

    assert hit(north) in ana_body and hit(south) not in ana_body
    assert hit(south) in carla_body and hit(north) not in carla_body


def test_a_narrower_policy_hides_the_teams_contacts_from_search_at_once(client_for, north_records):
    VisibilityPolicy.objects.update_or_create(pk=1, defaults={"contact_see": "own"})
    visibility.forget_policy()

    assert hit(north_records["contact"]) not in search(client_for("ben"), "secretname")
    assert hit(north_records["contact"]) in search(client_for("ana"), "secretname")


def test_search_shows_at_most_eight_hits_of_a_kind(client_for, org):
    for i in range(12):
        ContactFactory(first_name="Many", last_name=f"Person{i:02}", owner=org["ana"])

    body = search(client_for("ana"), "many")

    assert body.count("<li>") == 8


# ---- page, fragment, cost ------------------------------------------------------------------


def test_the_search_page_renders_the_results_in_the_full_layout(client_for, north_records):
    response = client_for("ana").get(reverse("search"), {"q": "nora"})

    body = response.content.decode()
    assert "<html" in body
    assert 'class="topbar"' in body
    assert "<h1>Search</h1>" in body
    assert hit(north_records["contact"]) in body


def test_the_dropdown_request_gets_only_the_results_fragment(client_for, north_records):
    response = client_for("ana").get(reverse("search"), {"q": "nora"}, headers=HX)

    body = response.content.decode()
    assert body.lstrip().startswith('<div class="search-results" id="search-results">')
    assert "<html" not in body
    assert 'class="topbar"' not in body
    assert "HX-Request" in response["Vary"]


def test_search_needs_a_login(client, north_records):
    response = client.get(reverse("search"), {"q": "nora"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_search_dropdown_costs_a_fixed_number_of_queries(
    client_for, org, north_records, django_assert_num_queries
):
    """Counted warm (the visibility policy is cached per process): the user, the search."""
    client = client_for("ana")
    CompanyFactory(name="Nordwind Logistik", owner=org["ben"])
    visibility.current_policy()

    with django_assert_num_queries(2):
        body = search(client, "nordwind")

    assert body.count("<li>") == 4  # two companies, the contact, the deal


def test_the_search_page_costs_no_more_queries_than_the_dropdown(
    client_for, org, north_records, django_assert_num_queries
):
    """The full page's layout needs nothing the dropdown does not: user and search, two queries."""
    client = client_for("ana")
    visibility.current_policy()

    with django_assert_num_queries(2):
        response = client.get(reverse("search"), {"q": "nordwind"})

    assert response.content.decode().count("<li>") == 3


# ---- phone numbers: one number, however it is written (crm/phones.py) ------------------------

SAME_NUMBER = ["0175-69827971", "0175 69827971", "+49 175 69827971", "+4917569827971"]


@pytest.mark.parametrize("stored", SAME_NUMBER)
@pytest.mark.parametrize("q", SAME_NUMBER)
def test_search_finds_a_phone_written_one_way_by_any_other_way(client_for, org, stored, q):
    contact = ContactFactory(last_name="Dialled", phone=stored, owner=org["ana"])

    assert hit(contact) in search(client_for("ana"), q)


def test_a_national_number_stored_is_found_by_its_international_form(client_for, org):
    contact = ContactFactory(last_name="Trunkzero", phone="0171 5550101", owner=org["ana"])
    other = ContactFactory(last_name="Elsewhere", phone="0172 9990000", owner=org["ana"])

    body = search(client_for("ana"), "+49 171 5550101")

    assert hit(contact) in body and hit(other) not in body


@pytest.mark.parametrize("q", ["0101", "5550101", "555 0101", "0171 555", "+49 171 55", "0049 171"])
def test_typing_part_of_a_number_finds_it_as_you_type(client_for, org, q):
    contact = ContactFactory(last_name="Partial", phone="0171 5550101", owner=org["ana"])
    other = ContactFactory(last_name="Elsewhere", phone="0172 9990000", owner=org["ana"])

    body = search(client_for("ana"), q)

    assert hit(contact) in body and hit(other) not in body
