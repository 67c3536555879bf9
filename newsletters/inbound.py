"""Unsubscribing by email: the mailto half of List-Unsubscribe.

A mail client that unsubscribes by email writes to the unsubscribe mailbox with the subject
"unsubscribe <token>"; the email provider hands the message to the site through its inbound
webhook (django-anymail's inbound signal), and the token ends the signup it names — as the
one-click link does.
"""

import logging
import re

from anymail.signals import inbound
from django.utils import timezone

from newsletters import signups
from newsletters.emails import signup_for_token
from newsletters.models import Signup

log = logging.getLogger(__name__)
TOKEN = re.compile(r"\bunsubscribe\s+(\S+)", re.IGNORECASE)


def unsubscribe_by_email(sender, event, esp_name, **kwargs):
    match = TOKEN.search(event.message.subject or "") if event.message else None
    signup_id = signup_for_token(match.group(1)) if match else None
    signup = Signup.objects.filter(pk=signup_id).first() if signup_id else None
    if signup is None:
        log.info("An email to the unsubscribe mailbox (via %s) named no signup", esp_name)
        return
    signups.unsubscribe(signup, signups.Scope.THIS, timezone.now())


def connect():
    inbound.connect(unsubscribe_by_email, dispatch_uid="newsletters-unsubscribe-by-email")
