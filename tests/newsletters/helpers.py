"""Builders for newsletter tests, and reading what was sent."""

import itertools
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from newsletters import sending
from newsletters.models import Cadence, Newsletter, Signup

_numbers = itertools.count(1)


def make_newsletter(publication, **fields):
    """A newsletter of each new article, begun a day ago (so today's articles are news to it)."""
    n = next(_numbers)
    fields.setdefault("name", f"Newsletter {n}")
    fields.setdefault("slug", f"newsletter-{n}")
    fields.setdefault("sender_name", f"{publication.name} Desk")
    fields.setdefault("cadence", Cadence.EACH_ARTICLE)
    fields.setdefault("created_at", timezone.now() - timedelta(days=1))
    return Newsletter.objects.create(publication=publication, **fields)


def sign_up(newsletter, user=None, *, email="", **fields):
    """A confirmed signup of `user`, or of the address `email` alone."""
    fields.setdefault("confirmed_at", timezone.now() - timedelta(days=1))
    return Signup.objects.create(newsletter=newsletter, user=user, email=email, **fields)


def tick(now=None):
    """One full turn of the newsletter clock, as the worker runs it."""
    sending.run(now or timezone.now())


def sent_to(address):
    """The messages sent to `address` (Django's test outbox)."""
    return [m for m in mail.outbox if m.to == [address]]


def everything_in(message):
    """Every byte a recipient gets: all headers and both parts, decoded."""
    parsed = message.message()
    headers = "\n".join(f"{name}: {value}" for name, value in parsed.items())
    parts = [message.body] + [content for content, _ in message.alternatives]
    return headers + "\n" + "\n".join(parts)
