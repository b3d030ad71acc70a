"""Property-based fuzz (issue 12, "What to build" 4): junk to every URL pattern, never a 5xx.

For every URL pattern of the project (the same resolver walk as the visibility matrix,
tests/test_url_matrix.py `project_url_names`), as every kind of user (anonymous, a rep, a
manager, the admin), hypothesis sends GET and POST requests with generated junk: path parameters
that are real ids of the fixture's records or not (huge, negative, "²"), query strings and POST
bodies under the field names the project's forms and filters really use (collected from their
classes, so a new form is fuzzed without anyone listing it), with huge and negative numbers, dates
at the edges of what Python and the databases hold, NUL bytes, invalid UTF-8 as raw bytes, very
long strings, hostile `next` values, and odd HX-Request / HX-Target / HX-Current-URL headers.
Any 5xx, or any exception escaping a view, fails with the request that caused it.

Exempt: Django admin (`admin:*`). Its pages are Django's own code, behind its own login and
staff check, and the app's users never work there; its URLs are excluded below, nothing else is.

Each example runs inside a savepoint that is rolled back, and the per-process caches (policy,
report switches) are forgotten after it, so examples do not change each other's world. Runtime is
kept modest by a fixed number of examples per pattern and role (`FUZZ_EXAMPLES`, default 12;
raise it for a deeper run) and derandomised examples, so a failure in CI reproduces locally
(`FUZZ_RANDOM=1` explores new ones).
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import traceback
from dataclasses import dataclass
from urllib.parse import quote, quote_from_bytes

import django_filters
import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm import registry as crm_registry
from crm import requirements, visibility
from reports import registry as report_registry
from reports.models import Agenda, AgendaSection, Meeting
from tests.matrix_meetings import _agenda
from tests.test_url_matrix import MATRIX, project_url_names

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
ROLES = ("anonymous", "ana", "maria", "admin")  # a rep (the records' owner), a manager, admin
EXEMPT_NAMESPACES = {"admin"}  # Django admin: see the module docstring


# ---- the URL patterns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # as project_url_names() names it
    route: str  # the full route, e.g. "contacts/<id:pk>/edit/"

    @property
    def params(self) -> list[tuple[str, str]]:
        """(converter, name) of each path parameter, in order."""
        return re.findall(r"<(?:(\w+):)?(\w+)>", self.route)


def project_routes(resolver=None, namespace=(), prefix="") -> list[Route]:
    """Every URL pattern but Django admin's, with its full route (the matrix's walk)."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXEMPT_NAMESPACES:
                continue
            inner = (*namespace, entry.namespace) if entry.namespace else namespace
            routes += project_routes(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = ":".join((*namespace, entry.name)) if entry.name else route
            routes.append(Route(name, route))
    return routes


ROUTES = sorted(project_routes(), key=lambda r: r.name)


def test_the_fuzz_sends_junk_to_every_url_pattern_but_django_admin():
    fuzzed = {route.name for route in ROUTES}
    admin = {name for name in project_url_names() if name.startswith(("admin:", "admin/"))}

    assert fuzzed == project_url_names() - admin
    assert admin, "Django admin is the exempt part; the walk must still see it"


# ---- what gets sent --------------------------------------------------------------------------

PROJECT_APPS = ("crm", "contacts", "deals", "reports")


def form_modules():
    """Every forms, filters and params module of the project's apps, and Django's auth forms
    (the login page)."""
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.endswith(("forms", "filters", "params")):
                yield importlib.import_module(f"{app}.{info.name}")
    yield importlib.import_module("django.contrib.auth.forms")


def form_field_names() -> list[str]:
    """The names the project's forms and filters read, collected from their classes."""
    names = set()
    for module in form_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm):
                names |= set(getattr(cls, "base_fields", {}))
                names |= set(getattr(getattr(cls, "_meta", None), "fields", None) or ())
            elif issubclass(cls, django_filters.FilterSet):
                names |= set(cls.base_filters)
    return sorted(names)


# Names read outside a form: paging, sorting, drill-down, versions, HTMX helpers, formsets.
EXTRA_NAMES = [
    "page",
    "per_page",
    "sort",
    "next",
    "p",
    "edit",
    "drill",
    "row",
    "col",
    "version",
    "base",
    "original",
    "overwrite",
    "undo",
    "from_stage",
    "keep_mine",
    "exclude",
    "contact",
    "sections-TOTAL_FORMS",
    "sections-INITIAL_FORMS",
    "sections-MAX_NUM_FORMS",
    "sections-0-id",
    "sections-0-report_slug",
    "sections-0-query",
    "sections-0-walk_through",
    "sections-0-ORDER",
    "sections-0-DELETE",
]
FIELD_NAMES = sorted(set(form_field_names()) | set(EXTRA_NAMES))

EDGE_NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "99999999999999999999999",
    "1e309",
    "NaN",
    "-inf",
    "1.5",
    "²",
    "٣",
]
EDGE_DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "1899-12-31",
    "2200-12-31",
    "2201-01-01",
    "2038-01-19T03:14:08",
    "0000-00-00",
    "2030-02-30",
    "2030-01-07",
]
ODD_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "foo:bar",
    "javascript:alert(1)",
    "//evil.example",
    "http://[::1",
    "/\\evil.example",
    "true",
    "false",
    "on",
    "board",
    "deal",
    "csv",
    "this-week",
    "team=1&pipeline=1",
    "start=0001-01-01&end=9999-12-31",
    "since=9999-12-31",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "%ff",
    "../..",
    "-title",
    "undomove:1:2:foo:bar:3:4",
]
LONG_TEXT = ["x" * 5_000, "9" * 5_000, "é" * 3_000, "a:" * 2_000, "\x00" * 1_000]


def values(ids: list[str]):
    """One value, as the bytes that go on the wire (invalid UTF-8 included)."""
    text = st.one_of(
        st.sampled_from(EDGE_NUMBERS),
        st.sampled_from(EDGE_NUMBERS),
        st.integers(-(10**25), 10**25).map(str),
        st.sampled_from(EDGE_DATES),
        st.sampled_from(EDGE_DATES),
        st.sampled_from(ODD_TEXT),
        st.sampled_from(ids),
        st.text(max_size=40),
        st.sampled_from(LONG_TEXT),
    )
    return st.one_of(text.map(lambda s: s.encode()), st.binary(max_size=24))


def encoded(items, *, raw: bool) -> str:
    """`k=v&…` percent-encoded, or (raw) as the bytes themselves, the way a broken client might
    put them in a query string: WSGI hands them over as latin-1 text."""
    if raw:
        return b"&".join(k + b"=" + v for k, v in items).decode("latin-1")
    return "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in items)


HX_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.sampled_from(["true", "false", "", "1", "\x00"]),
        "HX-Target": st.one_of(
            st.sampled_from(["stage", "#x", "", "a" * 300]), st.text(max_size=20)
        ),
        "HX-Current-URL": st.one_of(
            st.sampled_from(
                [
                    "http://testserver/contacts/?page=2",
                    "javascript:alert(1)",
                    "http://[::1",
                    "//evil.example",
                    "",
                    "http://testserver/" + "x" * 3_000,
                ]
            ),
            st.text(max_size=30),
        ),
        "HX-Boosted": st.sampled_from(["true", "false", ""]),
        "HX-History-Restore-Request": st.sampled_from(["true", "false"]),
        "HX-Trigger": st.text(max_size=20),
    },
)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data; boundary=junk",
    "application/json",
    "text/plain",
]


def path_value(param: str, ids: list[str]):
    """A path parameter: mostly what the converter expects (real ids, real slugs), and junk."""
    junk = st.one_of(st.sampled_from(EDGE_NUMBERS + ODD_TEXT[:8]), st.text(min_size=1, max_size=12))
    slugs = [r.slug for r in report_registry.all_reports()] + ["no-such-report"]
    known = {
        "pk": ids,
        "activity_pk": ids,
        "slug": slugs,
        "key": sorted(crm_registry.quick_adds) + ["nothing"],
        "label": [
            "contacts.Contact",
            "contacts.Company",
            "contacts.Activity",
            "deals.Deal",
            "deals.Stage",
            "crm.User",
            "contacts.contact",
            "nope",
            "a.b.c",
        ],
        "field": sorted({f for names in crm_registry.inline_fields.values() for f in names})
        + ["owner", "version", "pk", "nope"],
        "fmt": ["csv", "xlsx", "pdf", ""],
    }.get(param, ["1"])
    return st.one_of(st.sampled_from(known), junk)


# ---- the test ------------------------------------------------------------------------------


@pytest.fixture
def world(org, north_records):
    """north_records, maria's North agenda with a past meeting and today's (as the matrix sets
    them up), and an agenda whose section was saved with filters from before they were checked,
    with a meeting: every record a path parameter may name."""
    _agenda(north_records)
    agenda = north_records["agenda"]
    old = Agenda.objects.create(title="Saved long ago", owner=agenda.owner, team=agenda.team)
    AgendaSection.objects.create(
        agenda=old, report_slug="activity", query="start=0001-01-01&end=9999-12-31"
    )
    north_records["old_meeting"] = Meeting.objects.create(agenda=old, started_by=agenda.owner)
    north_records["old_agenda"] = old
    return north_records


def all_ids(records: dict, org: dict) -> list[str]:
    ids = {str(r.pk) for r in records.values()} | {str(u.pk) for u in org.values()}
    return sorted(ids, key=int)


def seed_case(route: Route):
    """The visibility matrix's first case for this URL: its real path parameters, query and
    POST body are where the junk starts from, so it reaches past "this field is required"."""
    return next((case for case in MATRIX if case.url_name == route.name), None)


def seeds(route: Route, records: dict, user, admin) -> tuple[dict, dict, dict]:
    """(path kwargs, query, POST body) of a realistic request to this URL, as far as known."""
    case = seed_case(route)
    if case is None:
        return {}, {}, {}
    try:
        kwargs = {k: str(v) for k, v in case.kwargs(records).items()}
    except (KeyError, AttributeError):  # a case whose own set-up this world does not run
        kwargs = {}
    try:
        body = case.data(records, user or admin) if case.data else {}
    except (KeyError, AttributeError):
        body = {}
    return kwargs, dict(case.query or {}), body


def names_on_page(client, url: str) -> set[str]:
    """The input names a page really renders (its forms, filters and hidden fields)."""
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    return set(re.findall(r'name="([^"]+)"', response.content.decode(errors="replace")))


def as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def body_items(seed: dict, changes, dropped: set) -> list[tuple[bytes, bytes]]:
    """The realistic body, some of its fields dropped, junk added or put in their place."""
    changed = {name for name, _ in changes}
    items = [
        (name.encode(), as_bytes(v))
        for name, value in seed.items()
        if name not in dropped and name.encode() not in changed
        for v in (value if isinstance(value, list | tuple) else [value])
    ]
    return items + list(changes)


def build_url(route: Route, path_values) -> str:
    """The route with each `<converter:name>` replaced by its (percent-encoded) value."""
    by_name = dict(zip((name for _, name in route.params), path_values, strict=True))
    return "/" + re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: quote(by_name[m.group(1)], safe=""), route.route
    )


def describe(role, method, url, query, body, content_type, headers) -> str:
    return (
        f"{method} {url}?{query[:500]!r} as {role}\n"
        f"  headers: {headers!r}\n"
        f"  body ({content_type}): {body[:500]!r}"
    )


# A junk `?sort=1.5` makes django-tables2 warn about its accessor syntax: the junk's, not ours.
@pytest.mark.filterwarnings("ignore:Use '__' to separate path components:DeprecationWarning")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_no_url_answers_junk_with_a_5xx(route, role, org, world):
    user = None if role == "anonymous" else org[role]
    client = Client(raise_request_exception=True)
    ids = all_ids(world, org)
    kwargs, seed_query, seed_body = seeds(route, world, user, org["admin"])
    real = [kwargs.get(name, ids[0]) for _, name in route.params]
    names = list(dict.fromkeys([*seed_body, *seed_query, *EXTRA_NAMES]))
    if user is not None:
        client.force_login(user)
        names += sorted(names_on_page(client, build_url(route, real)) - set(names))
        client.cookies.clear()
    name = st.one_of(
        st.sampled_from(names),
        st.sampled_from(names),
        st.sampled_from(FIELD_NAMES),
        st.binary(max_size=8),
    ).map(as_bytes)
    junk = st.lists(st.tuples(name, values(ids)), max_size=6)

    @settings(
        max_examples=EXAMPLES if user is not None else 2,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        path=st.tuples(
            *(
                st.one_of(st.just(v), path_value(n, ids))
                for v, (_, n) in zip(real, route.params, strict=True)
            )
        ),
        method=st.sampled_from(["GET", "POST"]),
        query=junk,
        body=junk,
        dropped=st.sets(st.sampled_from(sorted(seed_body) or [""]), max_size=3),
        raw=st.booleans(),
        content_type=st.sampled_from(CONTENT_TYPES[:1] * 4 + CONTENT_TYPES),
        headers=HX_HEADERS,
    )
    def fuzz(path, method, query, body, dropped, raw, content_type, headers):
        url = build_url(route, path)
        query_items = [(k.encode(), as_bytes(v)) for k, v in seed_query.items()] + query
        query_string = encoded(query_items, raw=raw)
        payload = encoded(body_items(seed_body, body, dropped), raw=False).encode()
        request = describe(role, method, url, query_string, payload, content_type, headers)
        try:
            with transaction.atomic():
                if user is not None:
                    client.force_login(user)
                if method == "GET":
                    response = client.get(url, QUERY_STRING=query_string, headers=headers)
                else:
                    response = client.generic(
                        "POST",
                        url,
                        payload,
                        content_type=content_type,
                        QUERY_STRING=query_string,
                        headers=headers,
                    )
                transaction.set_rollback(True)
        except Exception as exc:  # a view's exception is a 500 in production
            raise AssertionError(f"{request}\n{traceback.format_exc()}") from exc
        finally:
            client.cookies.clear()
            visibility.forget_policy()
            requirements.forget_switches()
        assert response.status_code < 500, f"{response.status_code} for {request}"

    fuzz()
