"""Visibility matrix cases for quick add (`quick-add`, `quick-add-form`) and the palette.

Anyone logged in may add records; what must not leak is ana's company. The short forms' pickers
offer only the user's own records, so "Nordwind GmbH" appears in no quick-add answer for anyone
(ben may still link it: it is a valid choice for whoever may see it); an outsider's forged id of
it is an invalid choice, answered 200 with the form and nothing added. The palette shows ana's
contact to those who see it, through global search.
"""

from __future__ import annotations

from contacts.models import Activity, Contact
from deals.models import Deal
from tests.matrix import (
    EVERYONE_200,
    GET,
    GET_HX,
    LINK_POST,
    LOGGED_IN,
    METHOD_NOT_ALLOWED,
    NOBODY,
    POST,
    POST_HX,
    SEERS,
    Case,
    exists,
    page,
    statuses,
)

NOT_FOUND = statuses(ben=404, outsiders=404, editors=404)
ADDED_302 = statuses(ben=302, outsiders=302, editors=302)
QUICK_SUBJECT = "Quick call from the matrix"


def _key(key):
    return lambda r: {"key": key}


def _contact(r, user):
    return {"first_name": "Quick", "last_name": "Newperson", "company": r["company"].pk}


def _deal(r, user):
    return {
        "title": "Quick deal",
        "company": r["company"].pk,
        "pipeline": r["deal"].pipeline_id,
        "stage": r["stage"].pk,
        "amount": "100",
        "expected_close": "2030-03-01",  # required while the forecast report is on
    }


def _call(r, user):
    return {"subject": QUICK_SUBJECT}


CASES: list[Case] = [
    page(
        "quick-add",
        EVERYONE_200,
        (GET, GET_HX),
        shows="Nordwind GmbH",
        shown_to=NOBODY,
        fragment='id="quick-add"',
    ),
    Case("quick-add", {POST: METHOD_NOT_ALLOWED}, id="quick-add-post"),
    Case(
        "quick-add-form",
        {GET: EVERYONE_200, GET_HX: EVERYONE_200, POST: LINK_POST, POST_HX: EVERYONE_200},
        id="quick-add-form-contact",
        kinds=("company",),
        kwargs=_key("contact"),
        data=_contact,
        changed=exists(Contact, last_name="Newperson", company="company"),
        changers=SEERS,
        shows="Nordwind GmbH",
        shown_to=NOBODY,
        fragment='id="quick-add"',
        hx_trigger="recordAdded",
    ),
    Case(
        "quick-add-form",
        {POST: LINK_POST, POST_HX: EVERYONE_200},
        id="quick-add-form-deal",
        kinds=("company",),
        kwargs=_key("deal"),
        data=_deal,
        changed=exists(Deal, title="Quick deal", company="company"),
        changers=SEERS,
        shows="Nordwind GmbH",
        shown_to=NOBODY,
        fragment='id="quick-add"',
        hx_trigger="recordAdded",
    ),
    Case(
        "quick-add-form",
        {POST: ADDED_302, POST_HX: EVERYONE_200},
        id="quick-add-form-call",
        kwargs=_key("call"),
        data=_call,
        changed=exists(Activity, subject=QUICK_SUBJECT, kind="call"),
        changers=LOGGED_IN,
        shows="Call Nora about rollout",
        shown_to=NOBODY,
        fragment='id="quick-add"',
        hx_trigger="recordAdded",
    ),
    page("quick-add-form", NOT_FOUND, (GET, POST), id="quick-add-form-unknown", kwargs=_key("x")),
    page(
        "palette",
        EVERYONE_200,
        (GET, GET_HX),
        kinds=("contact",),
        query={"q": "nord"},
        shows="Secretname",
        fragment='id="palette-results"',
    ),
    Case("palette", {POST: METHOD_NOT_ALLOWED}, id="palette-post"),
]
