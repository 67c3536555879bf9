"""What the email provider reports back — bounces, spam complaints, unsubscribes — goes on the
suppression list.

django-anymail receives the provider's webhook at /anymail/<provider>/tracking/ (only once
ANYMAIL_WEBHOOK_SECRET is set: outbox.webhooks), checks that secret (and the provider's
signature, where there is one) and sends its `tracking` signal with the event in its own terms:
that signal is anymail's seam for this, and `record`, connected in OutboxConfig.ready, is our
end of it.
"""

import logging

from anymail.signals import EventType, RejectReason
from django.db import DatabaseError

from outbox import suppression
from outbox.models import Reason

log = logging.getLogger(__name__)

SOFT_BOUNCE = "soft bounce"


def dig(data, *keys):
    """data[key1][key2]…, or None where the payload has no such thing."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


# SparkPost's bounce classes for a failure that may pass: soft, DNS, mailbox full, too large,
# transient (its bounce classification codes).
SPARKPOST_SOFT_CLASSES = {"20", "21", "22", "23", "70"}

# How providers say that a bounce anymail reports as "bounced" was temporary (its other
# temporary failures anymail reports as "deferred" already).
TEMPORARY_BOUNCES = {
    "Postmark": lambda raw: dig(raw, "Type") == "SoftBounce",
    "SendGrid": lambda raw: dig(raw, "type") == "blocked",
    "Amazon SES": lambda raw: dig(raw, "bounce", "bounceType") in {"Transient", "Undetermined"},
    "Brevo": lambda raw: dig(raw, "event") == "soft_bounce",
    "Mailjet": lambda raw: dig(raw, "hard_bounce") is False,
    "Resend": lambda raw: dig(raw, "data", "bounce", "type") == "Transient",
    "SparkPost": lambda raw: (
        str(dig(raw, "msys", "message_event", "bounce_class")) in SPARKPOST_SOFT_CLASSES
    ),
}

# A bounce for one of these reasons says nothing of the address: the receiving server refused
# the message (as spam, or by policy), timed out, or the provider could not tell why.
NOT_THE_ADDRESS = {
    RejectReason.BLOCKED,
    RejectReason.SPAM,
    RejectReason.TIMED_OUT,
    RejectReason.OTHER,
}

# Why a provider refused to send at all, when the reason is the address.
REJECTIONS = {
    RejectReason.BOUNCED: Reason.HARD_BOUNCE,
    RejectReason.INVALID: Reason.HARD_BOUNCE,
    RejectReason.SPAM: Reason.COMPLAINT,
    RejectReason.UNSUBSCRIBED: Reason.UNSUBSCRIBED,
}


def verdict(event, esp_name):
    """What `event` means for its recipient's address: a Reason to suppress it for,
    SOFT_BOUNCE, or None (nothing: a delivery, an open…)."""
    kind, why = event.event_type, event.reject_reason
    if kind == EventType.BOUNCED:
        temporary = TEMPORARY_BOUNCES.get(esp_name, lambda raw: False)(event.esp_event)
        if temporary or why in NOT_THE_ADDRESS:
            return SOFT_BOUNCE
        return Reason.HARD_BOUNCE
    if kind == EventType.DEFERRED:
        return SOFT_BOUNCE
    if kind == EventType.COMPLAINED:
        return Reason.COMPLAINT
    if kind == EventType.UNSUBSCRIBED:
        return Reason.UNSUBSCRIBED
    if kind == EventType.REJECTED:
        return REJECTIONS.get(why)
    return None


def record(sender, event, esp_name, **kwargs):
    """anymail's `tracking` receiver. It never fails on what a payload holds (anymail would
    answer with an error, and the provider send the same event again for days): an event it
    cannot read is logged and dropped. A database out of reach does fail it, so that the
    provider tries again later."""
    try:
        act_on(event, esp_name)
    except DatabaseError:
        raise
    except Exception:
        log.exception("Could not read a %s tracking event", esp_name)


def act_on(event, esp_name):
    found = verdict(event, esp_name)
    if found is None:
        return
    if not event.recipient:
        log.warning("A %s %s event names no recipient", esp_name, event.event_type)
        return
    if found == SOFT_BOUNCE:
        suppression.record_soft_bounce(event.recipient, source=esp_name)
    else:
        suppression.suppress(event.recipient, found, source=esp_name)
    log.info("%s: %s for %s", esp_name, found, suppression.hint(event.recipient))
