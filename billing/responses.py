"""Small answers the billing pages share: where to go back to, a redirect after a POST, a
number from a form, and the page for a provider that could not do what was asked."""

import logging
from http import HTTPStatus

from allauth.account.adapter import get_adapter
from django.http import HttpResponseRedirect
from django.shortcuts import render

log = logging.getLogger(__name__)


def safe_next(request, value):
    """`value` if it is safe to send the reader back to (the rule logins use), else ""."""
    return value if value and get_adapter(request).is_safe_url(value) else ""


def see_other(url):
    """A redirect after a POST, which the browser follows with a GET (303)."""
    response = HttpResponseRedirect(url)
    response.status_code = HTTPStatus.SEE_OTHER
    return response


def whole_number(value):
    """`value` as a positive whole number (0 if it is not one: never a 500 for "²")."""
    value = str(value or "")
    return int(value) if value.isdecimal() and len(value) < 10 else 0


def unavailable(request, error):
    log.warning("Payment provider unavailable: %s", error)
    context = {"message": str(error)}
    return render(request, "billing/unavailable.html", context, status=HTTPStatus.BAD_GATEWAY)
