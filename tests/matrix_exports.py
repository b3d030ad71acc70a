"""Visibility matrix cases for the list exports of issue 16: the activities list's export (CSV)
and the contacts list's vCard. Whoever may see ana's records finds them in the file; nobody
else does (the other list exports are in tests/matrix_custom_fields.py)."""

from __future__ import annotations

from tests.matrix import EVERYONE_200, GET, Case, page

CASES: list[Case] = [
    page(
        "contacts:activity-export",
        EVERYONE_200,
        (GET,),
        kwargs=lambda r: {"fmt": "csv"},
        kinds=("activity",),
        shows="Call Nora about rollout",
    ),
    page(
        "contacts:export",
        EVERYONE_200,
        (GET,),
        id="contacts:export-vcf",
        kwargs=lambda r: {"fmt": "vcf"},
        kinds=("contact",),
        shows="Secretname",
    ),
]
