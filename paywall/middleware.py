"""Attaches `request.reader` lazily and keeps reader-dependent responses out of shared caches."""

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty

from paywall.readers import reader_for_request


class ReaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.reader = SimpleLazyObject(lambda: reader_for_request(request))
        response = self.get_response(request)
        if request.reader._wrapped is not empty:
            # The page was shaped by who is reading: no shared cache may keep it.
            keep_private(response)
        return response


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
