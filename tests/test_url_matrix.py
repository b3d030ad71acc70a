"""The visibility matrix: every URL pattern, as every kind of user, by GET and POST, HTMX included,
under every visibility policy of tests/matrix.py `POLICIES`.

The cases are declared in tests/matrix.py (the core apps, and the vocabulary: roles, policies,
presets, `Case`) and in every `tests/matrix_<topic>.py` module, each of which exports `CASES`;
this file collects them into `MATRIX` and runs each case, under each policy, for every method it
names — one test per (policy, case, method), which asks as every role in turn, each role's
request inside a savepoint rolled back after it (the records are made once per test, not once
per role). See tests/matrix.py for what each role may see and change under a policy.

`test_every_url_pattern_is_covered_or_exempt` fails the build for a URL pattern that is neither
covered by a case nor in `EXEMPT` (with its reason).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from fnmatch import fnmatchcase
from types import ModuleType
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from contacts.models import Activity, Company, Contact
from crm import requirements, visibility
from crm.models import ReportSwitch, SettingChange, Team, User, VisibilityPolicy
from deals.models import Deal, Pipeline, Stage
from tests import matrix
from tests.matrix import POLICIES, RECORD_TEXTS, ROLES, Access, Case, Policy


def case_modules() -> list[ModuleType]:
    """tests/matrix.py, then every tests/matrix_*.py module, by name."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(tests.__path__)
        if info.name.startswith("matrix_")
    )
    return [matrix, *(importlib.import_module(f"tests.{name}") for name in names)]


def collect_cases(modules: list[ModuleType]) -> list[Case]:
    """Every module's `CASES`; a module without one is a mistake, not an empty contribution."""
    cases = []
    for module in modules:
        if not isinstance(getattr(module, "CASES", None), list):
            raise TypeError(f"{module.__name__} must define CASES, a list of tests.matrix.Case")
        cases += module.CASES
    return cases


MATRIX: list[Case] = collect_cases(case_modules())

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
    "password-set": "the one-time link a new user chooses a password with: anonymous by design; "
    "without a valid token it shows no form and no record (tests/crm/test_user_settings.py)",
    "calendars:feed": "a user's calendar feed: calendar apps cannot log in, so it answers "
    "anonymously to its secret, revocable address (404 otherwise); it serves only that user's "
    "own meetings and open tasks (tests/calendars/test_feed.py)",
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
    names = project_url_names()

    errors = coverage_errors(names | {"contacts:secret-export"})

    assert set(errors) - set(coverage_errors(names)) == {
        "URL pattern 'contacts:secret-export' is neither covered by the visibility matrix "
        "nor exempt"
    }


def test_the_coverage_guard_names_a_covered_url_that_no_longer_exists():
    names = project_url_names()

    errors = coverage_errors(names - {"deals:move"})

    assert set(errors) - set(coverage_errors(names)) == {
        "The visibility matrix covers 'deals:move', which is no URL pattern of the project"
    }


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
    for policy in POLICIES:
        for case in MATRIX:
            for method in case.expect:
                yield pytest.param(policy, case, method, id=f"{policy.name}-{case.name}-{method}")


def test_the_matrix_holds_the_core_cases_and_those_of_every_matrix_module():
    modules = case_modules()

    assert modules[0] is matrix
    assert "tests.matrix_reports" in [m.__name__ for m in modules]
    assert [case for module in modules for case in module.CASES] == MATRIX
    assert {"inline-edit", "reports:detail", "deals:create"} <= {c.url_name for c in MATRIX}


def test_a_matrix_module_without_cases_is_refused():
    with pytest.raises(TypeError, match="tests.matrix_forgotten must define CASES"):
        collect_cases([matrix, ModuleType("tests.matrix_forgotten")])


def test_every_case_has_a_test_id_of_its_own():
    names = [case.name for case in MATRIX]

    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_the_matrix_runs_under_the_default_policy_and_five_others_at_least():
    names = [p.name for p in POLICIES]

    assert names[0] == "default" and len(set(names)) == len(names) >= 6
    assert POLICIES[0].levels == {
        f"{kind}_{action}": level
        for kind in matrix.KINDS
        for action, level in (("see", "team"), ("edit", "own"))
    }


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_every_case_resolves_a_status_for_every_role_under_every_policy(policy):
    access = Access(policy)
    for case in MATRIX:
        for method in case.expect:
            assert set(case.statuses(method, access)) == set(ROLES) - {"anonymous"}, case.name
        assert case.roles(case.changers, access) <= set(ROLES), case.name
        if case.shows:
            assert case.roles(case.shown_to, access) <= set(ROLES), case.name


def test_who_sees_and_changes_ana_s_records_follows_the_policy():
    """The matrix's own reading of DECISIONS.md, on the combinations issue 12 names."""
    by_name = {p.name: Access(p) for p in POLICIES}
    default, own = by_name["default"], by_name["all-own"]

    assert default.seers(["contact"]) == {"ben", "maria", "admin"}
    assert default.editors(["contact"]) == {"maria", "admin"}
    assert own.seers(["deal"]) == own.editors(["deal"]) == {"maria", "admin"}
    assert by_name["activities-own-deals-team"].seers(["deal", "activity"]) == {"maria", "admin"}
    assert by_name["activities-everyone-rest-team"].seers(["activity"]) == set(ROLES) - {
        "anonymous"
    }
    assert by_name["activities-everyone-rest-team"].editors(["activity"]) == {
        "maria",
        "sam",
        "admin",
    }
    assert by_name["contacts-edited-by-team"].editors(["contact"]) == {"ben", "maria", "admin"}
    assert by_name["everyone-sees-everything"].editors(["deal"]) == {"maria", "sam", "admin"}


def _snapshot() -> dict:
    """Every owned row (deleted or not), their links, the policy and the report switches: what a
    request may change."""
    return {
        "rows": {
            model.__name__: list(model.all_objects.order_by("pk").values())
            for model in (Company, Contact, Deal, Activity)
        },
        "activity_contacts": sorted(Activity.contacts.through.objects.values_list()),
        "deal_contacts": sorted(Deal.contacts.through.objects.values_list()),
        "policy": list(VisibilityPolicy.objects.values()),
        "report_switches": list(ReportSwitch.objects.values()),
        # Settings beyond the policy: people, teams, pipelines, and the history of changes.
        "users": list(
            User.objects.order_by("pk").values(
                "pk",
                "username",
                "first_name",
                "last_name",
                "email",
                "role",
                "team_id",
                "is_active",
                "password",
                "session_token",
            )
        ),
        "teams": list(Team.objects.order_by("pk").values()),
        "team_managers": sorted(Team.managers.through.objects.values_list()),
        "pipelines": list(Pipeline.objects.order_by("pk").values()),
        "stages": list(Stage.objects.order_by("pk").values()),
        "setting_changes": SettingChange.objects.count(),
    }


@pytest.mark.parametrize(("policy", "case", "method"), list(_matrix_params()))
def test_visibility_matrix(policy: Policy, case: Case, method: str, org, north_records):
    """Every role in turn, each inside a savepoint that is rolled back after its request, so
    each finds the records as the case set them up; every failure of every role is reported."""
    policy.apply()
    records = north_records
    if case.setup:
        case.setup(records)
    access = Access(policy)
    url = reverse(case.url_name, kwargs=case.kwargs(records))
    if case.query:
        url = f"{url}?{urlencode(case.query)}"
    before = _snapshot()
    failures = []
    for role in ROLES:
        try:
            with transaction.atomic():
                _ask(case, role, method, url, records, org, access, before)
                transaction.set_rollback(True)
        except AssertionError as failure:
            failures.append(f"{role}: {failure}")
        finally:  # what a request wrote and the rollback undid may still be cached
            visibility.forget_policy()
            requirements.forget_switches()
    assert not failures, f"under the {policy.name} policy:\n" + "\n".join(failures)


# The page's CSRF token, random letters and digits: searched for a short name ("Ana"), it would
# now and then contain it by chance.
_CSRF_TOKEN = re.compile(r'(?<=X-CSRFToken": ")[^"]+|(?<=name="csrfmiddlewaretoken" value=")[^"]+')


# One test client for the whole matrix: a new one loads the middleware again, and WhiteNoise's
# scan of the static files would cost more than the requests themselves.
_client = Client()


def _ask(case: Case, role: str, method: str, url: str, records, org, access: Access, before):
    """One role's request (no cookie of another role's: no session, no message) and everything
    that must hold of its answer."""
    user = None if role == "anonymous" else org[role]
    client = _client
    client.cookies.clear()
    if user is not None:
        client.force_login(user)
    htmx = method.endswith("-htmx")
    headers = {"HX-Request": "true"} if htmx else {}

    if method.startswith("POST"):
        body = case.data(records, user) if case.data else {}
        response = client.post(url, body, headers=headers)
    else:
        response = client.get(url, headers=headers)

    content = _CSRF_TOKEN.sub("…", response.getvalue().decode())  # a streamed export too
    if role == "anonymous":
        assert response.status_code == 302, content[:500]
        login = urlsplit(response.url)
        assert login.path == resolve_url(settings.LOGIN_URL)
        assert parse_qs(login.query)["next"] == [url]
        assert _snapshot() == before, "an anonymous request changed data"
        return

    expected = case.statuses(method, access)[role]
    assert response.status_code == expected, (
        f"{method} {url}: expected {expected}, got {response.status_code}"
    )

    # What the request did to the data: the declared change for its changers, nothing otherwise.
    must_change = method.startswith("POST") and role in case.roles(case.changers, access)
    if must_change:
        assert case.changed(records), f"{method} to {url} did not make its change"
    else:
        assert _snapshot() == before, f"{method} to {url} changed data"

    # No leak: none of ana's records reaches a role that may not see its kind, on any page.
    for kind, text in RECORD_TEXTS.items():
        if role not in access.seers([kind]):
            assert text not in content, f"{url} leaks ana's {kind} {text!r}"

    # What the answer shows: this case's text only to those who may see it.
    if case.shows:
        if role not in case.roles(case.shown_to, access):
            assert case.shows not in content, f"{url} leaks {case.shows!r}"
        elif response.status_code == 200 and "HX-Redirect" not in response.headers:
            assert case.shows in content, f"{url} hides {case.shows!r}"

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
    if must_change and htmx and case.hx_trigger:
        assert response.headers.get("HX-Trigger") == case.hx_trigger


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
