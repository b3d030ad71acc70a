"""Sessions end and sign-ins are throttled.

Sessions are signed cookies; logging out rotates `User.session_token`, which the cookie's auth
hash covers, so a copy of the cookie is useless afterwards: on this device, on every other
device of the same user. django-axes refuses a username, or an address, after 10 failures in
15 minutes.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from crm.models import User

LOGIN = reverse("login")
LOCKED_ACCOUNT = "Too many failed sign-ins for this account. Try again in 15 minutes."
LOCKED_ADDRESS = "Too many failed sign-ins from your network address. Try again in 15 minutes."


def sign_in(username: str, password: str = "pw", client: Client | None = None, **extra) -> Client:
    """Sign in through the real login form, as a browser does."""
    client = client or Client()
    client.post(LOGIN, {"username": username, "password": password}, **extra)
    return client


def signed_in_as(client: Client) -> str | None:
    """Who the client's session belongs to now, asked of the server (None: the login page)."""
    response = client.get(reverse("home"))
    if response.status_code == 302:
        assert response.url.startswith(LOGIN)
        return None
    assert response.status_code == 200
    return response.context["user"].username


def with_cookie(cookie: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return client


# ---- sessions end -------------------------------------------------------------------------


def test_an_old_session_cookie_answers_with_the_login_page_after_logout(org, north_records):
    browser = sign_in("ana")
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in_as(with_cookie(cookie)) == "ana"

    browser.post(reverse("logout"))

    thief = with_cookie(cookie)
    response = thief.get(reverse("contacts:list"))
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/contacts/"
    page = thief.get(reverse("contacts:list"), follow=True).content.decode()
    assert 'name="password"' in page
    assert "Secretname" not in page


def test_an_old_session_cookie_gets_no_data_from_an_htmx_request_after_logout(org, north_records):
    browser = sign_in("ana")
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    browser.post(reverse("logout"))

    response = with_cookie(cookie).get(
        reverse("contacts:list"), {"q": "Nora"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert b"Secretname" not in response.content


def test_logout_ends_every_session_of_the_user(org):
    laptop, phone = sign_in("ana"), sign_in("ana")
    colleague = sign_in("ben")
    assert signed_in_as(phone) == "ana"

    laptop.post(reverse("logout"))

    assert signed_in_as(laptop) is None
    assert signed_in_as(phone) is None
    assert signed_in_as(colleague) == "ben"
    assert signed_in_as(sign_in("ana")) == "ana"  # signing in again works at once


def test_deactivating_a_user_ends_their_sessions(org):
    browser = sign_in("ana")

    User.objects.filter(username="ana").update(is_active=False)

    assert signed_in_as(browser) is None


def test_setting_a_new_password_ends_the_users_sessions(org):
    browser = sign_in("ana")

    ana = User.objects.get(username="ana")
    ana.set_password("a new long password")
    ana.save()

    assert signed_in_as(browser) is None


def test_the_test_clients_login_and_force_login_keep_working(client, org):
    """django-axes needs the request in authenticate(): the test client's login() passes one."""
    assert client.login(request=HttpRequest(), username="ana", password="pw")
    assert signed_in_as(client) == "ana"

    other = Client()
    other.force_login(org["ben"])
    assert signed_in_as(other) == "ben"


# ---- sign-in throttling --------------------------------------------------------------------


def fail(times: int, username: str = "ana", client: Client | None = None, **extra):
    client = client or Client()
    response = None
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong"}, **extra)
    return response


def test_the_right_password_after_ten_wrong_ones_is_refused_with_a_clear_message(org):
    tenth = fail(10)
    assert tenth.status_code == 429
    assert LOCKED_ACCOUNT in tenth.content.decode()

    browser = Client()
    response = browser.post(LOGIN, {"username": "ana", "password": "pw"})

    body = response.content.decode()
    assert response.status_code == 429
    assert f'<div class="message error" role="alert">{LOCKED_ACCOUNT}</div>' in body
    assert 'name="password"' in body  # the login page itself, ready for later
    assert 'value="ana"' in body
    assert "Please enter a correct username" not in body
    assert signed_in_as(browser) is None


def test_nine_wrong_passwords_still_let_the_right_one_in_and_start_the_count_afresh(org):
    fail(9)
    assert signed_in_as(sign_in("ana")) == "ana"

    fail(9)  # the success reset the count: nine more are not a lockout either
    assert signed_in_as(sign_in("ana")) == "ana"


def test_failures_for_one_username_count_from_every_address(org):
    for n in range(10):
        fail(1, REMOTE_ADDR=f"10.0.0.{n + 1}")

    response = Client().post(LOGIN, {"username": "ana", "password": "pw"}, REMOTE_ADDR="10.0.1.1")

    assert response.status_code == 429
    assert LOCKED_ACCOUNT in response.content.decode()
    assert signed_in_as(sign_in("ben", REMOTE_ADDR="10.0.1.1")) == "ben"


def test_failures_for_other_usernames_from_one_address_count_toward_that_address(org):
    fail(5, "ana", REMOTE_ADDR="10.0.0.7")
    fail(5, "nobody", REMOTE_ADDR="10.0.0.7")

    refused = Client().post(LOGIN, {"username": "carla", "password": "pw"}, REMOTE_ADDR="10.0.0.7")

    assert refused.status_code == 429
    assert LOCKED_ADDRESS in refused.content.decode()
    assert signed_in_as(sign_in("carla", REMOTE_ADDR="10.0.0.8")) == "carla"


def test_signing_in_works_again_after_the_cool_off(org):
    fail(11)
    assert signed_in_as(sign_in("ana")) is None

    # Fifteen minutes pass (the attempts are dated back; axes compares with the clock).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1))

    assert signed_in_as(sign_in("ana")) == "ana"


def test_a_try_during_the_lockout_restarts_the_cool_off(org):
    fail(10)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))

    assert signed_in_as(sign_in("ana")) is None  # refused, and the 15 minutes start again
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))

    assert signed_in_as(sign_in("ana")) is None


@pytest.mark.parametrize(
    ("forwarded", "address"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("10.9.9.9, 203.0.113.5", "203.0.113.5"),
        ("", "127.0.0.1"),  # no proxy in between after all: the peer
        ("203.0.113.5, not-an-address", "127.0.0.1"),  # never junk in the address column
    ],
)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings, org, forwarded, address):
    """TRUSTED_PROXY_COUNT=1: the right-most X-Forwarded-For entry; the rest is client-made."""
    settings.TRUSTED_PROXY_COUNT = 1

    fail(1, "nobody", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [address]


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_the_others(settings, org):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    fail(10, "nobody", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)

    assert signed_in_as(sign_in("ana", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)) == "ana"
    refused = Client().post(
        LOGIN,
        {"username": "ben", "password": "pw"},
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5",  # the spoofed part is ignored
        **proxy,
    )
    assert refused.status_code == 429
