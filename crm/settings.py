"""Huddle's one settings module: everything that differs per machine comes from the environment."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default).strip()
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number (0 or more), not {value!r}")
    return number


def envheader(name: str) -> str:
    """An HTTP header name from the environment (`X-Forwarded-Proto`), as Django's META key."""
    value = os.environ.get(name, "").strip()
    if value and not re.fullmatch(r"[A-Za-z0-9-]+", value):
        raise ImproperlyConfigured(
            f"{name} must be a header name like X-Forwarded-Proto, not {value!r}"
        )
    return "HTTP_" + value.upper().replace("-", "_") if value else ""


DEBUG = envbool("DEBUG", "false")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string), or DEBUG=true for a dev key."
        )
    SECRET_KEY = "huddle-dev-only-key-not-for-production"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "crm.apps.CrmConfig",
    "contacts.apps.ContactsConfig",
    "deals.apps.DealsConfig",
    "imports.apps.ImportsConfig",
    "calendars.apps.CalendarsConfig",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.LastSeenMiddleware",
    "crm.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.shell",
            ],
        },
    },
]
FORM_RENDERER = "crm.forms.HuddleFormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'huddle.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that cannot be reached fails a request (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT: PostgreSQL compiles a query whose estimated cost passes jit_above_cost, which
    # took a second of a 30 ms two-letter search (EXPLAIN: "JIT … Total 1027 ms"). Huddle's
    # queries are short; compiling never pays for itself here.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
    # Prepared statements: a statement a connection has run a few times (psycopg's threshold) is
    # prepared, and PostgreSQL may then reuse its plan instead of planning it again. Planning
    # cost more than running for most of Huddle's queries (a task with its people and company:
    # 1.2–1.7 ms to plan, 0.3 ms to run). This needs server-side parameters. Behind a pooler
    # that shares server connections between clients (PgBouncer in transaction mode, without
    # max_prepared_statements), set DATABASE_PREPARED=off.
    if os.environ.get("DATABASE_PREPARED", "on") != "off":
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a write is in progress; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    }

AUTH_USER_MODEL = "crm.User"
# django-axes first: it refuses a locked-out sign-in before any password is checked. Then
# Django's ModelBackend, loading each request's user with the ids of their scope (crm/scopes.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "crm.signin.ScopedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Signed-cookie sessions cost no query per request: the search budget counts every query.
# Logging out still ends them server-side: the cookie carries a hash of User.session_token,
# checked against the user row every request loads anyway, and logout rotates the token (so it
# ends every session of that user, on every device).
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Sign-in throttling (django-axes): 10 failures for one username, or from one address, within
# 15 minutes refuse that username (or address) for 15 minutes; each further try restarts them.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not the pair
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "crm.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "crm.signin.client_ip"
# How many proxies in front append to X-Forwarded-For (0: the peer address is the client).
# Behind the documented TLS proxy every request comes from 127.0.0.1: without this, ten typos
# across the whole organisation would lock everybody out.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")

# HTTPS. Behind a TLS-terminating proxy, SECURE_PROXY_SSL_HEADER names the header it sets to
# "https" (e.g. X-Forwarded-Proto); without it an SSL redirect would loop.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes the app directly
if envheader("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (envheader("SECURE_PROXY_SSL_HEADER"), "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
# Asking for the browsers' preload list commits the whole registrable domain to HTTPS for
# years; Huddle usually runs on a subdomain, so that is for the domain's owner to opt into.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# No inline script and no eval (htmx's allowEval is off too, see base.html): an injected
# attribute or <script> does not run. Style attributes stay allowed (the report meters set a
# width); <style> elements and stylesheets come only from Huddle itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

HUDDLE_CURRENCY = os.environ.get("HUDDLE_CURRENCY", "EUR")
HUDDLE_PHONE_REGION = os.environ.get("HUDDLE_PHONE_REGION", "DE").upper()

# Calendar import (the calendars app): occurrences starting from this many days back to this
# many days ahead become meetings. Subscriptions are fetched within a total deadline and a size
# limit; addresses on loopback and private networks are refused (no SSRF) unless allowed here.
HUDDLE_CALENDAR_DAYS_BACK = envint("HUDDLE_CALENDAR_DAYS_BACK", "90")
HUDDLE_CALENDAR_DAYS_AHEAD = envint("HUDDLE_CALENDAR_DAYS_AHEAD", "180")
HUDDLE_CALENDAR_FETCH_SECONDS = envint("HUDDLE_CALENDAR_FETCH_SECONDS", "20")
HUDDLE_CALENDAR_MAX_BYTES = envint("HUDDLE_CALENDAR_MAX_BYTES", str(10 * 1024 * 1024))
HUDDLE_CALENDAR_ALLOW_PRIVATE_ADDRESSES = envbool(
    "HUDDLE_CALENDAR_ALLOW_PRIVATE_ADDRESSES", "false"
)

# Mail is optional: with EMAIL_HOST set, a new user's set-password link is also e-mailed to them
# (the admin always sees it on screen, to pass on however they like).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "true")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "huddle@localhost")
HUDDLE_MAIL = bool(EMAIL_HOST)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Not the manifest variant: the app must run without a collectstatic step.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_TABLES2_TEMPLATE = "crm/table.html"
DJANGO_TABLES2_PAGE_RANGE = 5

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
