"""The headers that keep a response out of every cache but the visitor's own browser.

Whatever a page shows depends on who asks as soon as it reads the session (and so the user):
such a response is `Cache-Control: private` and varies on the cookie. A page that shows a secret
(the private feed's address, the devices logged in) is not stored even there: `no-store`.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers


def keep_private(response):
    """Mark `response` as this visitor's own: private, varying on the cookie. The usual case,
    a response with neither header yet (or with just these), is written without parsing."""
    if (
        response.get("Cache-Control", "private") == "private"
        and response.get("Vary", "Cookie") == "Cookie"
    ):
        response["Cache-Control"] = "private"
        response["Vary"] = "Cookie"
    else:
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])


def keep_nowhere(response):
    """Mark `response` as one no cache may store, not even the browser's."""
    patch_cache_control(response, private=True, no_cache=True, no_store=True, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])


class PrivateResponseMiddleware:
    """Marks private every response shaped by the session; `no-store` those of the views in
    `SECRET_VIEW_MODULES` (settings: modules whose pages show secrets, such as the accounts')."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_shows_secrets", False):
            keep_nowhere(response)
        elif getattr(request, "session", None) is not None and request.session.accessed:
            keep_private(response)
        return response

    def process_view(self, request, view, args, kwargs):
        module = getattr(view, "view_class", view).__module__
        request._shows_secrets = module.startswith(tuple(settings.SECRET_VIEW_MODULES))
