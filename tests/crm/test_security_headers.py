"""Security headers: deploy checks, Content-Security-Policy, and no caching of records.

The browser side of the CSP (that the pages still work under it, and report no violation) is
tested in tests/e2e/test_csp.py; here: the headers themselves, and that no template or Python
module writes markup the policy would block.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
HX = {"HX-Request": "true"}

# The production environment the README documents (plus what the machine needs to run Python).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3P9vQz7Lx2Wm8Rt5Yb1Nc6Hd4Gf0Js-Ua9Ke7Vo3Xp2Zq8Ti5Rw1Ey6Bn4Mh0",
    "ALLOWED_HOSTS": "crm.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "TRUSTED_PROXY_COUNT": "1",
}
HUDDLE_VARIABLES = {
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "TRUSTED_PROXY_COUNT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests' switch, never set in production
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in HUDDLE_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---- deployment ------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


def test_check_deploy_warns_without_https_settings():
    """The test above is not clean by accident: leave out HTTPS and the checks do complain."""
    insecure = {**PRODUCTION, "SECURE_HSTS_SECONDS": "0", "SECURE_SSL_REDIRECT": "false"}

    output = manage("check", "--deploy", **insecure).stderr

    assert "security.W004" in output  # HSTS
    assert "security.W008" in output  # SSL redirect


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECURE_HSTS_SECONDS", "a year"),
        ("SECURE_HSTS_SECONDS", "-1"),
        ("SECURE_SSL_REDIRECT", "maybe"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
        ("TRUSTED_PROXY_COUNT", "one"),
    ],
)
def test_a_malformed_security_setting_fails_loudly(name, value):
    result = manage("check", **{**PRODUCTION, name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_behind_the_proxy_https_requests_are_not_redirected_and_http_ones_are(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000

    plain = client.get(reverse("login"))
    secure = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    probe = client.get(reverse("healthz"))

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/login/"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert probe.status_code == 200  # the load balancer's probe talks plain HTTP to the app


# ---- Content-Security-Policy -----------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


def test_every_page_carries_a_policy_without_inline_script_or_eval(client_for, north_records):
    response = client_for("ana").get(reverse("contacts:list"))

    csp = policy(response)
    assert csp == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_login_page_and_htmx_fragments_carry_the_policy_too(client, client_for, north_records):
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]
    fragment = client_for("ana").get(reverse("contacts:list"), {"q": "nora"}, headers=HX)
    assert "script-src 'self'" in fragment["Content-Security-Policy"]


def test_htmx_is_told_to_use_neither_eval_nor_inline_styles(client_for, org):
    page = client_for("ana").get(reverse("home")).content.decode()

    assert (
        """<meta name="htmx-config" content='{"allowEval": false, "includeIndicatorStyles": false}'>"""
        in page
    )


SOURCES = sorted(
    [*ROOT.glob("templates/**/*.html")]
    + [
        p
        for app in ("crm", "contacts", "deals", "reports")
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts
    ]
)

# Markup the policy blocks, or that would make htmx evaluate code (which allowEval=false turns
# into "always true" for a trigger filter, silently).
TRIGGER_FILTER = re.compile(r"""(?:^|,)\s*[\w:.-]+\[""")  # an event name, then [condition]
BLOCKED = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "inline event handler": re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\b(?:data-)?hx-on[:\-]", re.IGNORECASE),
    # In a template anything ({% else %}javascript:…); in Python, only as an attribute's value.
    "javascript: URL": re.compile(r"[^\w\s]\s*javascript:", re.IGNORECASE),
    "javascript: URL in Python": re.compile(r"""=\s*\\?["']?\s*javascript:""", re.IGNORECASE),
    "hx-trigger filter": re.compile(r"""hx-trigger=(["'])(.*?)\1"""),
    "js: values": re.compile(r"""hx-(?:vals|vars|headers)=["']\s*(?:js|javascript):"""),
}
COMMENT = re.compile(r"^\s*#.*$|\{#.*?#\}")


def blocked(kind: str, line: str, python: bool = False) -> bool:
    if kind == "javascript: URL" and python:
        kind = "javascript: URL in Python"
    if kind == "hx-trigger filter":
        triggers = [m.group(2) for m in BLOCKED[kind].finditer(line)]
        return any(TRIGGER_FILTER.search(t.replace("\\'", "'")) for t in triggers)
    return bool(BLOCKED[kind].search(line))


def offending_lines(kind: str) -> list[str]:
    found = []
    for path in SOURCES:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if blocked(kind, COMMENT.sub("", line), python=path.suffix == ".py"):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    return found


@pytest.mark.parametrize("kind", sorted(set(BLOCKED) - {"javascript: URL in Python"}))
def test_no_template_or_module_writes_markup_the_policy_would_block(kind):
    assert offending_lines(kind) == []


def test_the_source_scan_sees_the_markup_it_looks_for():
    samples = {
        "inline <script>": '<script>alert(1)</script> <script src="/x.js">',
        "inline event handler": '<select onchange="this.form.submit()">',
        "hx-on attribute": '<form hx-on:keyup="x()">',
        "javascript: URL": '<a href="javascript:history.back()">',
        "hx-trigger filter": """hx-trigger="click, keyup[key=='Enter']" """,
        "js: values": """hx-vals='js:{a: 1}'""",
    }
    for kind, sample in samples.items():
        assert blocked(kind, sample), kind
    assert blocked("hx-trigger filter", """hx-trigger="click, keyup[key==\\'Enter\\']" """)
    assert blocked("javascript: URL", """'<a href="javascript:void(0)">'""", python=True)
    allowed = {
        "hx-trigger filter": 'hx-trigger="input changed delay:300ms from:input[type=search]"',
        "javascript: URL": "# Invalid, without JavaScript: the whole page again",
    }
    for kind, sample in allowed.items():
        assert not blocked(kind, sample), kind
    assert not blocked("javascript: URL", "(`//evil.example`, `javascript:alert(1)`)", python=True)


# ---- no caching of records -------------------------------------------------------------------


def assert_private(response):
    cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    assert "Cookie" in response["Vary"]


def test_a_page_with_records_is_private_and_not_stored(client_for, north_records):
    response = client_for("ana").get(reverse("contacts:detail", args=[north_records["contact"].pk]))

    assert response.status_code == 200
    assert "Secretname" in response.content.decode()
    assert_private(response)


def test_an_htmx_fragment_is_private_and_not_stored(client_for, north_records):
    response = client_for("ana").get(reverse("contacts:list"), {"q": "nora"}, headers=HX)

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert_private(response)
    assert "HX-Request" in response["Vary"]


def test_a_csv_export_is_private_and_not_stored(client_for, north_records):
    response = client_for("maria").get(reverse("reports:export", args=["pipeline", "csv"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_private(response)


def test_a_response_to_a_visitor_is_left_cacheable(client, db):
    """The health check shows nothing of anyone's: the middleware leaves it alone."""
    response = client.get(reverse("healthz"))

    assert "private" not in response.get("Cache-Control", "")
