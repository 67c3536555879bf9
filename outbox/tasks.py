"""Email leaves the site here, in the background, and is tried again when sending fails.

Views build a message (`templated_message` renders one from a pair of templates) and call
`send_later`; the task queue's worker talks to the SMTP server.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)


def templated_message(template, context, **fields):
    """An email with `template`.txt as its text and `template`.html as its HTML alternative,
    both rendered with `context`; `fields` are EmailMultiAlternatives' own (subject, to…)."""
    message = EmailMultiAlternatives(body=render_to_string(f"{template}.txt", context), **fields)
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
    """Queue `message` (an EmailMessage) for sending; returns at once."""
    deliver.enqueue(message_payload(message), attempt=1)


@task()
def deliver(payload, attempt=1):
    try:
        message_from_payload(payload).send()
    except Exception:  # any failure of the mail server or the network: try again later
        if attempt >= settings.OUTBOX_MAX_ATTEMPTS:
            log.exception("Giving up on email %r to %s", payload["subject"], payload["to"])
            return "failed"
        log.warning(
            "Email %r to %s failed (attempt %d); will retry",
            payload["subject"],
            payload["to"],
            attempt,
            exc_info=True,
        )
        retry = deliver
        if retry.get_backend().supports_defer:
            retry = deliver.using(run_after=timezone.now() + retry_delay(attempt))
        retry.enqueue(payload, attempt=attempt + 1)
        return "retrying"
    return "sent"
