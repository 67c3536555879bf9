"""Small answers the billing pages share: where to go back to, a redirect after a POST, a
number from a form, and the page for a provider that could not do what was asked."""

import logging
from http import HTTPStatus

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

log = logging.getLogger(__name__)


def safe_next(request, value):
    """`value` if it is a path on this site (where the reader was), else ""."""
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=False):
        return value
    return ""


def see_other(url):
    """A redirect after a POST, which the browser follows with a GET (303)."""
    response = HttpResponseRedirect(url)
    response.status_code = HTTPStatus.SEE_OTHER
    return response


def whole_number(value):
    """`value` as a positive whole number (0 if it is not one: never a 500 for "²")."""
    value = str(value or "")
    return int(value) if value.isdecimal() and len(value) < 10 else 0


def unavailable(request, error, **context):
    log.warning("Payment provider unavailable: %s", error)
    context["message"] = str(error)
    return render(request, "billing/unavailable.html", context, status=HTTPStatus.BAD_GATEWAY)
