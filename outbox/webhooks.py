"""The addresses at which the email provider reports to the site: django-anymail's webhooks
(tracking: bounces and complaints, for outbox.bounces; inbound: mail sent to the site), answering
only once ANYMAIL_WEBHOOK_SECRET is set.

Each of anymail's webhooks takes any POST. With no secret set it reads a stranger's body: junk
became a server error, and a made-up bounce a suppression. With the secret, anymail refuses a
request without it (400) before reading anything, but a provider whose own keys are not set (one
not in use) fails as it starts, a server error for anyone: that is answered as not found, and
logged for whoever meant to set it up.
"""

import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from anymail.utils import get_anymail_setting
from django.http import Http404
from django.urls import URLPattern

log = logging.getLogger(__name__)


def only_with_a_secret(view):
    @wraps(view)
    def webhook(request, *args, **kwargs):
        if not get_anymail_setting("webhook_secret", default=None):
            raise Http404("Webhooks are off: ANYMAIL_WEBHOOK_SECRET is not set.")
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError as error:
            log.warning("Webhook %s is not set up: %s", request.path, error)
            raise Http404("This webhook is not set up.") from error

    return webhook


def urlpatterns():
    """anymail's webhooks, each behind the secret, under anymail's names: for include()."""
    patterns = [
        URLPattern(p.pattern, only_with_a_secret(p.callback), p.default_args, p.name)
        for p in anymail_urls.urlpatterns
    ]
    return patterns, anymail_urls.app_name
