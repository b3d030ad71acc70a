"""The visibility matrix: every URL pattern, as every kind of user, by GET and POST, HTMX included.

The records under test are `north_records`, owned by ana (rep, North). With the default policy
(reps see their team's records and edit their own):

- anonymous is sent to the login page by everything but the `EXEMPT` patterns;
- ben (rep, North) sees ana's records, may log activities on them, but gets 403 on any change;
- carla (rep, South) and sam (South's manager) get 404 on every URL naming ana's records, and
  ana's records never appear in what their lists, searches and pickers return;
- maria (North's manager) and admin see and change them.

`MATRIX` is the declared coverage: a flat list of `Case`s, any number per URL name. To cover a new
URL, add a `Case` (or a name to `EXEMPT`, with its reason); `test_every_url_pattern_is_covered_or_exempt`
fails the build for a pattern that is neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from contacts.models import Activity, Company, Contact
from crm.models import VisibilityPolicy
from deals.models import Deal

ROLES = ("anonymous", "ben", "carla", "maria", "sam", "admin")
LOGGED_IN = frozenset(ROLES) - {"anonymous"}
SEERS = frozenset({"ben", "maria", "admin"})  # may see ana's records
EDITORS = frozenset({"maria", "admin"})  # may change ana's records
NOBODY = frozenset()

GET, POST, GET_HX, POST_HX = "GET", "POST", "GET-htmx", "POST-htmx"
PAGE, HTMX_LIST = (GET, POST), (GET, POST, GET_HX)


def statuses(*, ben: int, outsiders: int, editors: int, admin: int | None = None) -> dict:
    """Expected status per logged-in role; carla and sam are the outsiders, maria and admin edit."""
    return {
        "ben": ben,
        "carla": outsiders,
        "sam": outsiders,
        "maria": editors,
        "admin": editors if admin is None else admin,
    }


EVERYONE_200 = statuses(ben=200, outsiders=200, editors=200)
SEE = statuses(ben=200, outsiders=404, editors=200)
CHANGE_PAGE = statuses(ben=403, outsiders=404, editors=200)
CHANGE_POST = statuses(ben=403, outsiders=404, editors=302)
CHANGE_HX = statuses(ben=403, outsiders=404, editors=200)  # HX-Redirect or fragment
LOG_POST = statuses(ben=302, outsiders=404, editors=302)
LOG_HX = statuses(ben=200, outsiders=404, editors=200)
# POST-only URLs answer GET with 405 before looking anything up, the same for any pk:
# nothing leaks, so there is no 404 to expect.
METHOD_NOT_ALLOWED = statuses(ben=405, outsiders=405, editors=405)
# A create form naming ana's company/deal: the outsiders' forged id is an invalid choice (200).
LINK_POST = statuses(ben=302, outsiders=200, editors=302)
ADMIN_PAGE = statuses(ben=403, outsiders=403, editors=403, admin=200)
ADMIN_POST = statuses(ben=403, outsiders=403, editors=403, admin=302)

WHEN = "2030-01-07T10:00"
LOGGED_SUBJECT = "Logged by the visibility matrix"


def _no_kwargs(records: dict) -> dict:
    return {}


def _pk(user) -> str:
    return str(user.pk) if user is not None else ""


@dataclass(frozen=True)
class Case:
    """One URL, what each role gets per method, and how to tell whether a POST changed anything."""

    url_name: str
    expect: dict[str, dict[str, int]]  # method -> role -> status; anonymous is always login
    kwargs: Callable[[dict], dict] = _no_kwargs
    id: str = ""  # test-id prefix when one URL name has several cases
    query: dict = field(default_factory=dict)
    data: Callable[[dict, object], dict] | None = None  # (records, user) -> POST body
    setup: Callable[[dict], None] | None = None  # (records) -> None, before the request
    changed: Callable[[dict], bool] | None = None  # did the POST's change happen?
    changers: frozenset[str] = NOBODY  # roles whose POST must make that change
    shows: str | None = None  # text of ana's record in a 200 answer for `shown_to`, else absent
    shown_to: frozenset[str] = SEERS
    fragment: str | None = None  # marker of the fragment an HTMX request gets

    @property
    def name(self) -> str:
        return self.id or self.url_name


def page(url_name, expect, methods=PAGE, **kw) -> Case:
    return Case(url_name, dict.fromkeys(methods, expect), **kw)


# ---- POST bodies and effects ---------------------------------------------------------------


def _contact_edit(r, user):
    c = r["contact"]
    return {
        "first_name": c.first_name,
        "last_name": "Renamed",
        "company": r["company"].pk,
        "email": c.email,
        "phone": c.phone,
        "owner": c.owner_id,
    }


def _company_edit(r, user):
    return {"name": "Nordwind Renamed AG", "owner": r["company"].owner_id}


def _activity_edit(r, user):
    a = r["activity"]
    return {
        "kind": a.kind,
        "subject": "Renamed call",
        "occurs_at": WHEN,
        "contacts": [r["contact"].pk],
        "company": r["company"].pk,
        "deal": r["deal"].pk,
        "owner": a.owner_id,
    }


def _deal_edit(r, user):
    d = r["deal"]
    return {
        "title": "Renamed rollout",
        "company": r["company"].pk,
        "pipeline": d.pipeline_id,
        "stage": d.stage_id,
        "amount": "20000",
        "expected_close": "2030-02-01",
        "owner": d.owner_id,
    }


def _contact_create(r, user):
    return {"last_name": "Newperson", "company": r["company"].pk, "owner": _pk(user)}


def _company_create(r, user):
    return {"name": "Brandnew Ltd", "owner": _pk(user)}


def _activity_create(r, user):
    return {
        "kind": "task",
        "subject": "Fresh task",
        "occurs_at": WHEN,
        "contacts": [r["contact"].pk],
        "company": r["company"].pk,
        "deal": r["deal"].pk,
        "owner": _pk(user),
    }


def _deal_create(r, user):
    return {
        "title": "Fresh deal",
        "company": r["company"].pk,
        "pipeline": r["deal"].pipeline_id,
        "stage": r["stage"].pk,
        "amount": "500",
        "owner": _pk(user),
    }


def _log(r, user):
    return {"kind": "note", "subject": LOGGED_SUBJECT}


def _move(r, user):
    return {"stage": r["other_stage"].pk, "next": "board"}


def _policy(r, user):
    return {
        "company_see": "team",
        "company_edit": "own",
        "contact_see": "everyone",
        "contact_edit": "own",
        "deal_see": "team",
        "deal_edit": "own",
        "activity_see": "team",
        "activity_edit": "own",
    }


def _soft_delete(key):
    def setup(r):
        record = r[key]
        record.deleted_at = timezone.now()
        record.save(update_fields=["deleted_at"])

    return setup


def _live(model, key, **expected):
    """Effect: ana's record, reloaded (deleted or not), has these field values."""

    def changed(r):
        record = model.all_objects.get(pk=r[key].pk)
        return all(getattr(record, k) == v for k, v in expected.items())

    return changed


def _deleted(model, key):
    return lambda r: model.all_objects.get(pk=r[key].pk).deleted_at is not None


def _restored(model, key):
    return lambda r: model.all_objects.get(pk=r[key].pk).deleted_at is None


def _exists(model, **lookup):
    """Effect: a row matching the lookup (values are keys of records, or literals) exists."""

    def changed(r):
        resolved = {k: r.get(v, v) if isinstance(v, str) else v for k, v in lookup.items()}
        return model.all_objects.filter(**resolved).exists()

    return changed


def _pk_of(key):
    return lambda r: {"pk": r[key].pk}


def _restore_kwargs(label, key):
    return lambda r: {"label": label, "pk": r[key].pk}


# ---- the matrix ----------------------------------------------------------------------------

MATRIX: list[Case] = [
    # Dashboards, lists and search: everyone gets 200; ana's records only reach those who see them.
    page("home", EVERYONE_200, shows="Nordwind", shown_to=NOBODY),  # My day: own records only
    page("contacts:list", EVERYONE_200, HTMX_LIST, shows="Secretname", fragment='id="results"'),
    page(
        "contacts:company-list",
        EVERYONE_200,
        HTMX_LIST,
        shows="Nordwind GmbH",
        fragment='id="results"',
    ),
    page(
        "contacts:activity-list",
        EVERYONE_200,
        HTMX_LIST,
        shows="Call Nora about rollout",
        fragment='id="results"',
    ),
    page("deals:list", EVERYONE_200, HTMX_LIST, shows="Nordwind rollout", fragment='id="results"'),
    page("deals:board", EVERYONE_200, HTMX_LIST, shows="Nordwind rollout", fragment='id="board"'),
    page(
        "search",
        EVERYONE_200,
        HTMX_LIST,
        query={"q": "nord"},
        shows="Secretname",
        fragment='id="search-results"',
    ),
    # Details: see or 404. A POST to a detail page changes nothing.
    page("contacts:detail", SEE, kwargs=_pk_of("contact"), shows="Secretname"),
    page("contacts:company-detail", SEE, kwargs=_pk_of("company"), shows="Nordwind GmbH"),
    page(
        "contacts:activity-detail", SEE, kwargs=_pk_of("activity"), shows="Call Nora about rollout"
    ),
    page("deals:detail", SEE, kwargs=_pk_of("deal"), shows="Nordwind rollout"),
    # Create: everyone may create; the pickers offer ana's records only to those who see them,
    # and a forged id of one is an invalid choice.
    Case(
        "contacts:create",
        {GET: EVERYONE_200, POST: LINK_POST, POST_HX: EVERYONE_200},
        data=_contact_create,
        changed=_exists(Contact, last_name="Newperson", company="company"),
        changers=SEERS,
        shows="Nordwind GmbH",
        fragment='id="record-form"',
    ),
    Case(
        "contacts:company-create",
        {GET: EVERYONE_200, POST: statuses(ben=302, outsiders=302, editors=302)}
        | {POST_HX: EVERYONE_200},
        data=_company_create,
        changed=_exists(Company, name="Brandnew Ltd"),
        changers=LOGGED_IN,
        shows="Nordwind",
        shown_to=NOBODY,
    ),
    Case(
        "contacts:activity-create",
        {GET: EVERYONE_200, POST: LINK_POST, POST_HX: EVERYONE_200},
        data=_activity_create,
        changed=_exists(Activity, subject="Fresh task", deal="deal"),
        changers=SEERS,
        shows="Nordwind rollout",
        fragment='id="record-form"',
    ),
    Case(
        "deals:create",
        {GET: EVERYONE_200, POST: LINK_POST, POST_HX: EVERYONE_200},
        data=_deal_create,
        changed=_exists(Deal, title="Fresh deal", company="company"),
        changers=SEERS,
        shows="Nordwind GmbH",
        fragment='id="record-form"',
    ),
    # Edit and delete: editors only; ben 403, outsiders 404.
    Case(
        "contacts:edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("contact"),
        data=_contact_edit,
        changed=_live(Contact, "contact", last_name="Renamed"),
        changers=EDITORS,
        shows="Secretname",
    ),
    Case(
        "contacts:company-edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("company"),
        data=_company_edit,
        changed=_live(Company, "company", name="Nordwind Renamed AG"),
        changers=EDITORS,
        shows="Nordwind GmbH",
    ),
    Case(
        "contacts:activity-edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("activity"),
        data=_activity_edit,
        changed=_live(Activity, "activity", subject="Renamed call"),
        changers=EDITORS,
        shows="Call Nora about rollout",
    ),
    Case(
        "deals:edit",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("deal"),
        data=_deal_edit,
        changed=_live(Deal, "deal", title="Renamed rollout"),
        changers=EDITORS,
        shows="Nordwind rollout",
    ),
    Case(
        "contacts:delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("contact"),
        changed=_deleted(Contact, "contact"),
        changers=EDITORS,
        shows="Secretname",
    ),
    Case(
        "contacts:company-delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("company"),
        changed=_deleted(Company, "company"),
        changers=EDITORS,
        shows="Nordwind GmbH",
    ),
    Case(
        "contacts:activity-delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("activity"),
        changed=_deleted(Activity, "activity"),
        changers=EDITORS,
        shows="Call Nora about rollout",
    ),
    Case(
        "deals:delete",
        {GET: CHANGE_PAGE, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("deal"),
        changed=_deleted(Deal, "deal"),
        changers=EDITORS,
        shows="Nordwind rollout",
    ),
    # Log an activity on a record: whoever sees it may; the timeline fragment answers HTMX.
    Case(
        "contacts:contact-log",
        {GET: METHOD_NOT_ALLOWED, POST: LOG_POST, POST_HX: LOG_HX},
        kwargs=_pk_of("contact"),
        data=_log,
        changed=_exists(Activity, subject=LOGGED_SUBJECT, contacts="contact"),
        changers=SEERS,
        shows="Call Nora about rollout",
        fragment='id="timeline"',
    ),
    Case(
        "contacts:company-log",
        {GET: METHOD_NOT_ALLOWED, POST: LOG_POST, POST_HX: LOG_HX},
        kwargs=_pk_of("company"),
        data=_log,
        changed=_exists(Activity, subject=LOGGED_SUBJECT, company="company"),
        changers=SEERS,
        shows="Call Nora about rollout",
        fragment='id="timeline"',
    ),
    Case(
        "deals:log",
        {GET: METHOD_NOT_ALLOWED, POST: LOG_POST, POST_HX: LOG_HX},
        kwargs=_pk_of("deal"),
        data=_log,
        changed=_exists(Activity, subject=LOGGED_SUBJECT, deal="deal"),
        changers=SEERS,
        shows="Call Nora about rollout",
        fragment='id="timeline"',
    ),
    # One-click changes: done toggle and board move, editors only.
    Case(
        "contacts:activity-done",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("activity"),
        changed=_live(Activity, "activity", done=True),
        changers=EDITORS,
        shows="Call Nora about rollout",
        fragment='id="activity-',
    ),
    Case(
        "deals:move",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST, POST_HX: CHANGE_HX},
        kwargs=_pk_of("deal"),
        data=_move,
        changed=lambda r: Deal.all_objects.get(pk=r["deal"].pk).stage_id == r["other_stage"].pk,
        changers=EDITORS,
        shows="Nordwind rollout",
        fragment='id="column-head-',
    ),
    # Undo a delete: ana's record was soft-deleted first; only its editors may bring it back.
    Case(
        "restore",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST},
        id="restore-contact",
        kwargs=_restore_kwargs("contacts.contact", "contact"),
        setup=_soft_delete("contact"),
        changed=_restored(Contact, "contact"),
        changers=EDITORS,
        shows="Secretname",
    ),
    Case(
        "restore",
        {GET: METHOD_NOT_ALLOWED, POST: CHANGE_POST},
        id="restore-deal",
        kwargs=_restore_kwargs("deals.deal", "deal"),
        setup=_soft_delete("deal"),
        changed=_restored(Deal, "deal"),
        changers=EDITORS,
        shows="Nordwind rollout",
    ),
    # The organisation's settings: admin only.
    Case(
        "settings",
        {GET: ADMIN_PAGE, POST: ADMIN_POST},
        data=_policy,
        changed=lambda r: VisibilityPolicy.objects.filter(pk=1, contact_see="everyone").exists(),
        changers=frozenset({"admin"}),
        shows="Nordwind",
        shown_to=NOBODY,
    ),
]

# Patterns the matrix does not cover, each with the reason. Keys are fnmatch patterns over the
# names `project_url_names()` yields (an unnamed pattern is its full route).
EXEMPT: dict[str, str] = {
    "admin:*": "Django admin: staff only, guarded by admin's own login and model permissions; "
    "reps and managers work in the app, never here",
    "admin/*": "Django admin's unnamed patterns (object-id redirects, the catch-all); same guard",
    "static/*": "static files: served by WhiteNoise before URL routing (a pattern only if DEBUG "
    "adds static()); public by nature, no records",
    "login": "must be reachable anonymously; shows no record",
    "logout": "ends the session; shows no record",
    "healthz": "load-balancer probe: anonymous on purpose, answers 'ok', touches no record",
}

COVERED: frozenset[str] = frozenset(case.url_name for case in MATRIX)


# ---- coverage ------------------------------------------------------------------------------


def project_url_names(resolver=None, namespace: tuple[str, ...] = (), prefix: str = "") -> set:
    """Every URL pattern of the project: `ns:name`, or the full route string when unnamed."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespace, entry.namespace) if entry.namespace else namespace
            names |= project_url_names(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            names.add(
                ":".join((*namespace, entry.name)) if entry.name else prefix + str(entry.pattern)
            )
    return names


def is_exempt(name: str, exempt: dict[str, str] = EXEMPT) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in exempt)


def coverage_errors(
    names: set[str], covered: frozenset[str] = COVERED, exempt: dict[str, str] = EXEMPT
) -> list[str]:
    """What keeps the matrix from matching the project's URLs, one sentence per problem."""
    errors = [
        f"URL pattern {name!r} is neither covered by the visibility matrix nor exempt"
        for name in sorted(names)
        if name not in covered and not is_exempt(name, exempt)
    ]
    errors += [
        f"The visibility matrix covers {name!r}, which is no URL pattern of the project"
        for name in sorted(covered - names)
    ]
    errors += [
        f"{name!r} is both covered by the visibility matrix and exempt"
        for name in sorted(covered)
        if is_exempt(name, exempt)
    ]
    return errors


def test_every_url_pattern_is_covered_or_exempt():
    errors = coverage_errors(project_url_names())
    assert not errors, "\n".join(errors)


def test_the_project_url_names_are_exactly_the_covered_and_the_exempt_ones():
    names = project_url_names()
    exempted = {name for name in names if is_exempt(name)}
    assert names == COVERED | exempted, "\n".join(coverage_errors(names))
    assert not COVERED & exempted


def test_the_coverage_guard_names_a_pattern_that_is_neither_covered_nor_exempt():
    errors = coverage_errors(project_url_names() | {"contacts:secret-export"})
    assert errors == [
        "URL pattern 'contacts:secret-export' is neither covered by the visibility matrix "
        "nor exempt"
    ]


def test_the_coverage_guard_names_a_covered_url_that_no_longer_exists():
    errors = coverage_errors(project_url_names() - {"deals:move"})
    assert errors == [
        "The visibility matrix covers 'deals:move', which is no URL pattern of the project"
    ]


def test_the_url_walk_finds_namespaced_top_level_and_unnamed_patterns():
    names = project_url_names()
    assert {"contacts:detail", "deals:move", "search", "restore", "admin:index"} <= names
    assert "admin/(?P<url>.*)$" in names  # admin's unnamed catch-all, by its route


# ---- the matrix itself ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Six users per test, hundreds of tests: the default hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _matrix_params():
    for case in MATRIX:
        for method in case.expect:
            for role in ROLES:
                yield pytest.param(case, role, method, id=f"{case.name}-{role}-{method}")


def _snapshot() -> dict:
    """Every owned row (deleted or not), their links and the policy: what a request may change."""
    return {
        "rows": {
            model.__name__: list(model.all_objects.order_by("pk").values())
            for model in (Company, Contact, Deal, Activity)
        },
        "activity_contacts": sorted(Activity.contacts.through.objects.values_list()),
        "deal_contacts": sorted(Deal.contacts.through.objects.values_list()),
        "policy": list(VisibilityPolicy.objects.values()),
    }


@pytest.mark.parametrize(("case", "role", "method"), list(_matrix_params()))
def test_visibility_matrix(case, role, method, client, org, north_records):
    records = north_records
    if case.setup:
        case.setup(records)
    user = None if role == "anonymous" else org[role]
    if user is not None:
        client.force_login(user)
    url = reverse(case.url_name, kwargs=case.kwargs(records))
    if case.query:
        url = f"{url}?{urlencode(case.query)}"
    htmx = method.endswith("-htmx")
    headers = {"HX-Request": "true"} if htmx else {}
    before = _snapshot()

    if method.startswith("POST"):
        body = case.data(records, user) if case.data else {}
        response = client.post(url, body, headers=headers)
    else:
        response = client.get(url, headers=headers)

    content = response.content.decode()
    if role == "anonymous":
        assert response.status_code == 302, content[:500]
        login = urlsplit(response.url)
        assert login.path == resolve_url(settings.LOGIN_URL)
        assert parse_qs(login.query)["next"] == [url]
        assert _snapshot() == before, "an anonymous request changed data"
        return

    expected = case.expect[method][role]
    assert response.status_code == expected, (
        f"{role} {method} {url}: expected {expected}, got {response.status_code}"
    )

    # What the request did to the data: the declared change for its changers, nothing otherwise.
    must_change = method.startswith("POST") and role in case.changers
    if must_change:
        assert case.changed(records), f"{role}'s {method} to {url} did not make its change"
    else:
        assert _snapshot() == before, f"{role}'s {method} to {url} changed data"

    # What the answer shows: ana's record only to those who may see it.
    if case.shows:
        if role not in case.shown_to:
            assert case.shows not in content, f"{url} leaks {case.shows!r} to {role}"
        elif response.status_code == 200 and "HX-Redirect" not in response.headers:
            assert case.shows in content, f"{url} hides {case.shows!r} from {role}"

    # An HTMX answer is a fragment (or a client-side redirect after a saved form), never the page.
    if htmx and response.status_code == 200:
        assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
        if must_change and "HX-Redirect" in response.headers:
            assert response.content == b""
        else:
            assert "<html" not in content and 'class="topbar"' not in content
            if case.fragment:
                assert case.fragment in content
    if must_change and htmx and case.fragment is None:
        assert response.headers.get("HX-Redirect"), "a saved HTMX form answers with HX-Redirect"


# ---- the exempt patterns do what their reason says ------------------------------------------


def test_the_login_page_is_open_to_anonymous_users(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_the_health_check_answers_anonymous_users(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"


def test_logging_out_ends_the_session_and_goes_to_the_login_page(client_for):
    client = client_for("ben")

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGOUT_REDIRECT_URL)
    assert client.get(reverse("home")).status_code == 302


def test_static_files_are_served_to_anonymous_users(client, db):
    response = client.get(static("css/huddle.css"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content)


@pytest.mark.parametrize("role", ["anonymous", "ben", "maria"])
def test_the_django_admin_turns_away_everyone_but_staff(role, client, org):
    if role != "anonymous":
        client.force_login(org[role])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("admin:login")


def test_the_django_admin_opens_for_the_admin(client_for):
    response = client_for("admin").get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Site administration" in response.content.decode()
