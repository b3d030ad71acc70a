"""Visibility matrix cases for the pickers' type-ahead (`picker`, crm/pickers.py).

Whoever may see ana's contact finds it by typing; nobody else learns it exists. A POST changes
nothing (405). Unknown kinds answer 404 for everyone logged in.
"""

from __future__ import annotations

from tests.matrix import (
    EVERYONE_200,
    GET,
    GET_HX,
    METHOD_NOT_ALLOWED,
    POST,
    POST_HX,
    Case,
    page,
    statuses,
)

NOT_FOUND = statuses(ben=404, outsiders=404, editors=404)

CASES: list[Case] = [
    page(
        "picker",
        EVERYONE_200,
        (GET, GET_HX),
        id="picker-contact",
        kinds=("contact",),
        query={"kinds": "contact,company,deal", "q": "secretn"},
        shows="Secretname",
        fragment='class="picker-',
    ),
    page(
        "picker",
        EVERYONE_200,
        (GET, GET_HX),
        id="picker-company",
        kinds=("company",),
        query={"kinds": "company", "q": "nordwind"},
        shows="Nordwind GmbH",
    ),
    page("picker", NOT_FOUND, (GET,), id="picker-no-kind", query={"kinds": "user", "q": "ana"}),
    Case("picker", {POST: METHOD_NOT_ALLOWED, POST_HX: METHOD_NOT_ALLOWED}, id="picker-post"),
]
