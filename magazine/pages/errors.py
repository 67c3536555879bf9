"""Error pages that must work when the rest of the site cannot: they use no database and no
cache, and the templates they render extend nothing that does."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 5
# Fields never written back into a page, whatever the view says: the form put them there.
NEVER_SHOWN = {"csrfmiddlewaretoken"}


def server_error(request):
    """Django's 500 page; but when the database is out of reach, a 503 that says so, asks to
    try again in a moment, and gives back what the reader was sending, so nothing they typed is
    lost (and nothing was saved: the request failed before it could be)."""
    if not isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return defaults.server_error(request)
    context = {"fields": typed_fields(request), "action": request.path}
    response = HttpResponse(loader.get_template("503.html").render(context, request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def typed_fields(request):
    """(name, value) for each field of a POST the reader may see again: not the CSRF token,
    and nothing the view marks sensitive (passwords)."""
    # Views that take passwords say so (Django's @sensitive_post_parameters, as allauth's do).
    sensitive = getattr(request, "sensitive_post_parameters", ())
    if request.method != "POST" or sensitive == "__ALL__":
        return []
    return [
        (name, value)
        for name, values in request.POST.lists()
        for value in values
        if name not in NEVER_SHOWN and name not in sensitive and "password" not in name
    ]
