from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers


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
