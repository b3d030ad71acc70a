"""A list page is read as its ids first, then their rows (crm/paging.py PagesById): every page
holds exactly the records the filters, the sort and the viewer's scope give, in that order."""

import re

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 25


@pytest.fixture
def contacts(org):
    """60 contacts of North (ana's team) and 10 of South's carla: "Ann…" and "Bob…" names,
    e-mails in the reverse order of the names, companies on some."""
    company = CompanyFactory(name="Harbour Ltd", owner=org["ana"])
    made = []
    for i in range(60):
        owner = org[("ana", "ben", "maria")[i % 3]]
        first = "Ann" if i % 2 else "Bob"
        made.append(
            ContactFactory(
                first_name=first,
                last_name=f"North{i:02}",
                email=f"{99 - i:02}@example.com",
                owner=owner,
                company=company if i % 4 == 0 else None,
            )
        )
    for i in range(10):
        ContactFactory(first_name="Ann", last_name=f"South{i:02}", owner=org["carla"])
    return made


def shown(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r"(?:Ann|Bob) (?:North|South)\d\d", response.content.decode())


def name_key(contact):
    return (contact.name_normalized, contact.pk)


@pytest.mark.parametrize(
    ("query", "keep", "key", "reverse_order"),
    [
        ({}, lambda c: True, name_key, False),
        ({"q": "ann"}, lambda c: c.first_name == "Ann", name_key, False),
        ({"q": "ann", "sort": "-name"}, lambda c: c.first_name == "Ann", name_key, True),
        ({"sort": "email"}, lambda c: True, lambda c: (c.email_normalized, c.pk), False),
    ],
)
def test_each_page_holds_the_next_records_of_the_filtered_sorted_scope(
    client_for, contacts, query, keep, key, reverse_order
):
    client = client_for("ana")
    expected = [c.full_name for c in sorted(filter(keep, contacts), key=key, reverse=reverse_order)]
    numbers = range(1, (len(expected) - 1) // PER_PAGE + 2)
    pages = [shown(client.get(reverse("contacts:list"), {**query, "page": n})) for n in numbers]

    assert len(pages) >= 2  # the last page is a short one
    for number, page in zip(numbers, pages, strict=True):
        assert page == expected[(number - 1) * PER_PAGE : number * PER_PAGE]
    assert sum(pages, []) == expected  # carla's "Ann South…" are out of ana's scope


def test_the_htmx_fragment_of_a_filter_pages_the_same_way(client_for, contacts):
    client = client_for("maria")
    full = shown(client.get(reverse("contacts:list"), {"q": "bob"}))
    fragment = shown(client.get(reverse("contacts:list"), {"q": "bob"}, HTTP_HX_REQUEST="true"))

    assert fragment == full
    assert (
        full
        == [c.full_name for c in sorted(contacts, key=name_key) if c.first_name == "Bob"][:PER_PAGE]
    )


@pytest.mark.parametrize(
    "url_name", ["contacts:list", "contacts:company-list", "contacts:activity-list", "deals:list"]
)
def test_a_list_page_shows_no_template_comment(client_for, org, url_name):
    # Django's {# #} comments end at the line: one spread over two lines was printed as text.
    body = client_for("ana").get(reverse(url_name)).content.decode()
    assert "{#" not in body and "#}" not in body
