"""Attaches `request.reader` lazily and keeps reader-dependent responses out of shared caches."""

from django.utils.functional import SimpleLazyObject, empty

from caching.headers import keep_private
from paywall.meter import settle_cookie
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
        settle_cookie(request, response)
        return response
