"""Signing in and out: what django-axes and Django's auth signals call into.

Sessions are signed cookies; `User.session_token` is part of their auth hash, so rotating it
(`User.end_sessions`) ends every session of the user without a session table.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from crm import scopes


def end_sessions_at_logout(sender, request, user, **kwargs):
    """user_logged_out receiver: a copied or stolen cookie stops working with the logout.

    It ends the user's other sessions too (other browsers, other devices): the token is one per
    user, which is what keeps a session check free of queries.
    """
    if user is not None:
        user.end_sessions()


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address to throttle, seen through TRUSTED_PROXY_COUNT proxies.

    Each proxy appends the address it received from to X-Forwarded-For, so the client is the
    entry that many places from the right; anything further left was sent by the client and is
    not trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies and _is_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def _is_address(text: str) -> bool:
    # Stored in an address column (inet on PostgreSQL): junk there would be a 500.
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again (429), saying why and for how long.

    Every try during a lockout restarts the cool-off, so "in 15 minutes" stays true.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    for_account = recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"]
    if for_account and for_account >= settings.AXES_FAILURE_LIMIT:
        reason = "Too many failed sign-ins for this account."
    else:
        reason = "Too many failed sign-ins from your network address."
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "lockout": f"{reason} Try again in {minutes} minutes.",
            "next": next_url,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class ScopedModelBackend(ModelBackend):
    """Django's ModelBackend, loading the signed-in user with the ids of their scope."""

    def get_user(self, user_id):
        user = scopes.load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
