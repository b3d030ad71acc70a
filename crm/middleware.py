from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers


class HtmxMiddleware:
    """What every HTMX-aware response needs, in one place.

    - `Vary: HX-Request`: pages answer HTMX requests with a fragment, so caches must key on it.
    - Messages ("Logged call", "Moved to Won") queued during an HTMX request that swaps a fragment
      are sent with it as an out-of-band swap of the message area; otherwise they would surface
      on some later page. Responses that redirect the browser keep them for the next page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        if self._swaps_fragment(request, response) and len(get_messages(request)):
            response.write(render_to_string("crm/messages_oob.html", request=request))
        return response

    @staticmethod
    def _swaps_fragment(request, response) -> bool:
        return (
            getattr(request, "htmx", False)
            and response.status_code == 200
            and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and not any(h in response for h in ("HX-Redirect", "HX-Location", "HX-Refresh"))
        )


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` and `Vary: Cookie` on every response to a signed-in user.

    Pages, HTMX fragments and exports alike carry records: no shared cache may keep them, and
    neither may the browser (a later user of the same computer, the back button after logout).
    Reading `request.user` costs nothing here: LastSeenMiddleware has loaded it already.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie",))
        return response


LAST_SEEN_EVERY = timedelta(minutes=5)


class LastSeenMiddleware:
    """Stamp `User.last_seen` for the adoption report, at most once per LAST_SEEN_EVERY per user.

    The user row is loaded for every request anyway (LoginRequiredMiddleware), so whether the
    stamp is stale is read from it for free; only a stale stamp costs one UPDATE. Login stamps
    it too (`stamp_at_login`), so the requests right after a login cost nothing extra.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            if user.last_seen is None or now - user.last_seen >= LAST_SEEN_EVERY:
                _stamp(user, now)
        return self.get_response(request)


def stamp_at_login(sender, request, user, **kwargs):
    """user_logged_in receiver: a login is a visit (connected in CrmConfig.ready)."""
    _stamp(user, timezone.now())


def _stamp(user, now) -> None:
    # An UPDATE of one column, not save(): no other field of a possibly stale instance is written.
    get_user_model()._default_manager.filter(pk=user.pk).update(last_seen=now)
    user.last_seen = now
