"""Visibility matrix cases for custom fields (issue 14): Settings → Fields and the settings
history are the admin's alone; the list exports are the lists, within visibility — whoever may
see ana's records finds them in the file, nobody else does."""

from __future__ import annotations

from crm.models import CustomField
from tests.matrix import (
    ADMIN_PAGE,
    ADMIN_POST,
    EVERYONE_200,
    GET,
    METHOD_NOT_ALLOWED,
    POST,
    Case,
    page,
)

ADMIN = frozenset({"admin"})


def _field(records) -> None:
    records["field"] = CustomField.objects.create(
        model="contact", key="region", label="Region", type="text"
    )


def _field_pk(records) -> dict:
    return {"pk": records["field"].pk}


CASES: list[Case] = [
    page(
        "contacts:export",
        EVERYONE_200,
        (GET,),
        kwargs=lambda r: {"fmt": "csv"},
        kinds=("contact",),
        shows="Secretname",
    ),
    page(
        "contacts:company-export",
        EVERYONE_200,
        (GET,),
        kwargs=lambda r: {"fmt": "csv"},
        kinds=("company",),
        shows="Nordwind GmbH",
    ),
    page(
        "deals:export",
        EVERYONE_200,
        (GET,),
        kwargs=lambda r: {"fmt": "csv"},
        kinds=("deal",),
        shows="Nordwind rollout",
    ),
    page("settings-fields", ADMIN_PAGE, (GET,), shows="Nordwind", shown_to=frozenset()),
    page("settings-history", ADMIN_PAGE, (GET,), shows="Nordwind", shown_to=frozenset()),
    Case(
        "settings-field-create",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        data=lambda r, user: {"model": "contact", "label": "Matrix field", "type": "text"},
        changed=lambda r: CustomField.objects.filter(label="Matrix field").exists(),
        changers=ADMIN,
        shows="Nordwind",
        shown_to=frozenset(),
    ),
    Case(
        "settings-field-edit",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        kwargs=_field_pk,
        setup=_field,
        data=lambda r, user: {"label": "Area", "type": "text", "key": "region", "order": "1"},
        changed=lambda r: CustomField.objects.filter(label="Area").exists(),
        changers=ADMIN,
        shows="Nordwind",
        shown_to=frozenset(),
    ),
    Case(
        "settings-field-archive",
        {GET: METHOD_NOT_ALLOWED, POST: ADMIN_POST},
        kwargs=_field_pk,
        setup=_field,
        data=lambda r, user: {"archived": "1"},
        changed=lambda r: CustomField.objects.filter(archived=True).exists(),
        changers=ADMIN,
        shows="Nordwind",
        shown_to=frozenset(),
    ),
]
