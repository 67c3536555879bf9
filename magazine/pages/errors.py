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


# PostgreSQL's classes of errors that say "not now" rather than "not so": connection lost,
# server shutting down or starting, out of resources, a deadlock or serialization failure.
TRANSIENT_SQLSTATES = ("08", "57P", "53", "40")
# SQLite's equivalents, by message (its errors carry no code).
TRANSIENT_SQLITE = ("database is locked", "disk i/o error", "unable to open database")


def server_error(request):
    """Django's 500 page; but when the database is out of reach, a 503 that says so, asks to
    try again in a moment, and gives back what the reader was sending, so nothing they typed is
    lost. Views that save say so when they have committed (`request.changes_committed`): the
    page then says it was saved rather than offer to send it again."""
    if not is_unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    saved = getattr(request, "changes_committed", False)
    context = {"fields": [] if saved else typed_fields(request), "saved": saved}
    response = HttpResponse(loader.get_template("503.html").render(context, request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_unavailable(error):
    """Whether `error` says the database cannot be reached, or is too busy, for now — so that
    trying again in a moment can work — not that a query is wrong (a bug: a 500)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(TRANSIENT_SQLSTATES)
    if error.__cause__ is not None and type(error.__cause__).__module__ == "sqlite3":
        return str(error).lower().startswith(TRANSIENT_SQLITE)
    return True  # a connection that failed or timed out before any query had a code


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
