"""Email leaves the site here, in the background, and is tried again when sending fails.

Views build a message (`templated_message` renders one from a pair of templates) and call
`send_later`; the task queue's worker talks to the SMTP server. A failure the mail server says
is temporary (a 4xx reply, a lost connection) is tried again later; one it says is permanent (a
5xx reply: no such mailbox, refused) or a message that cannot be sent as it is, is not.
Recipients whose address must get no mail at all (it bounced, they complained: see
outbox.suppression) are left out of every attempt.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from outbox.headers import single_line
from outbox.suppression import suppressed

log = logging.getLogger(__name__)


def templated_message(template, context, *, subject, **fields):
    """An email with `template`.txt as its text and `template`.html as its HTML alternative,
    both rendered with `context`; `fields` are EmailMultiAlternatives' own (to, reply_to…)."""
    message = EmailMultiAlternatives(
        subject=single_line(subject), body=render_to_string(f"{template}.txt", context), **fields
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def retry_delay(attempt):
    """Pause before attempt `attempt + 1`: 1, 4, 16, 64 … minutes."""
    return timedelta(minutes=4 ** (attempt - 1))


def message_payload(message):
    """What the queue stores for a message: plain JSON, so any worker can rebuild it."""
    return {
        "subject": str(message.subject),
        "body": message.body,
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
    }


def message_from_payload(payload):
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def send_later(message):
    """Queue `message` (an EmailMessage) for sending; returns at once. (A queue in the database
    takes it in the transaction of the change that caused it: both are saved, or neither.)"""
    deliver.enqueue(message_payload(message), attempt=1)


def is_permanent(error):
    """Whether sending this message again could not help: the server refused its recipients,
    or the message itself, with a 5xx reply; or it cannot be sent as it is (a header with a line
    break in it). A 5xx about the server itself — a wrong password, a refused sender — is a
    setting to fix, and the message is tried again meanwhile."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, BadHeaderError | ValueError)


@task()
def deliver(payload, attempt=1):
    payload = without_suppressed(payload)
    if payload is None:
        return "suppressed"
    try:
        message_from_payload(payload).send()
    except Exception as error:  # the mail server, the network, or the message itself
        return failed(payload, attempt, error)
    return "sent"


def without_suppressed(payload):
    """`payload` without the recipients mail must not go to (asked again at each attempt: a
    bounce may have come in meanwhile); None when that leaves nobody."""
    fields = ("to", "cc", "bcc")
    blocked = suppressed(
        [address for field in fields for address in payload[field]], transactional=True
    )
    if not blocked:
        return payload
    log.info("Email %r not sent to %d suppressed address(es)", payload["subject"], len(blocked))
    kept = {field: [a for a in payload[field] if a not in blocked] for field in fields}
    return {**payload, **kept} if any(kept.values()) else None


def failed(payload, attempt, error):
    """Try `payload` again later, unless the failure is permanent, or attempts are used up, or
    the task backend cannot wait (it would retry at once, inside the request)."""
    can_wait = deliver.get_backend().supports_defer
    if is_permanent(error) or attempt >= settings.OUTBOX_MAX_ATTEMPTS or not can_wait:
        log.error(
            "Giving up on email %r to %s (attempt %d)",
            payload["subject"],
            payload["to"],
            attempt,
            exc_info=error,
        )
        return "failed"
    log.warning(
        "Email %r to %s failed (attempt %d); will retry",
        payload["subject"],
        payload["to"],
        attempt,
        exc_info=error,
    )
    retry = deliver.using(run_after=timezone.now() + retry_delay(attempt))
    retry.enqueue(payload, attempt=attempt + 1)
    return "retrying"
