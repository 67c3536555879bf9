"""Outgoing email is sent in the background and tried again when the mail server fails."""

import logging
from smtplib import (
    SMTPAuthenticationError,
    SMTPDataError,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
    SMTPServerDisconnected,
)

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.locmem import EmailBackend as LocMemBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import Suppression
from outbox.suppression import suppress
from outbox.tasks import deliver, message_payload, send_later, templated_message

pytestmark = pytest.mark.django_db


class FlakyBackend(LocMemBackend):
    """Fails the first `failures` sends, like a mail server having a bad minute."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise SMTPServerDisconnected("connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    yield FlakyBackend
    FlakyBackend.failures = 0


def message():
    email = EmailMultiAlternatives(
        "Hello",
        "Plain text",
        "site@example.com",
        ["friend@example.com"],
        reply_to=["reader@example.com"],
        headers={"X-Test": "1"},
    )
    email.attach_alternative("<p>HTML</p>", "text/html")
    return email


def test_a_queued_message_arrives_whole():
    send_later(message())
    sent = mail.outbox[0]
    assert sent.subject == "Hello"
    assert sent.to == ["friend@example.com"]
    assert sent.reply_to == ["reader@example.com"]
    assert sent.alternatives[0].content == "<p>HTML</p>"
    assert sent.extra_headers["X-Test"] == "1"


@pytest.fixture
def queue(settings):
    """The database queue, and a way to run what it holds (whenever each is due)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run_all():
        while task := DBTaskResult.objects.order_by("enqueued_at").first():
            task.delete()
            deliver.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])

    return run_all


def test_a_failed_send_is_retried_until_it_goes_through(flaky, queue, caplog):
    flaky.failures = 2
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        send_later(message())
        queue()
    assert len(mail.outbox) == 1
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]


def test_after_the_last_attempt_the_failure_is_logged_not_raised(flaky, queue, caplog, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    flaky.failures = 10
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        send_later(message())
        queue()
    assert mail.outbox == []
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING", "ERROR"]
    assert "Giving up" in caplog.records[-1].getMessage()


def test_the_immediate_backend_never_retries_inside_the_request(flaky, caplog):
    flaky.failures = 1
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        send_later(message())  # development's backend: no exception, no second attempt
    assert mail.outbox == []
    assert flaky.failures == 0
    assert [r.levelname for r in caplog.records] == ["ERROR"]


class RefusingBackend(LocMemBackend):
    """A mail server that fails every send with `error`."""

    error = SMTPRecipientsRefused({"friend@example.com": (550, b"5.1.1 No such mailbox")})

    def send_messages(self, messages):
        raise RefusingBackend.error


def refused(code, text):
    return SMTPRecipientsRefused({"friend@example.com": (code, text)})


@pytest.mark.parametrize(
    ("error", "queued_again"),
    [
        (refused(550, b"5.1.1 No such mailbox"), False),
        (refused(554, b"5.7.1 Refused by policy"), False),
        (SMTPDataError(554, b"5.6.0 Message rejected as spam"), False),
        (refused(450, b"4.2.0 Mailbox busy, try later"), True),
        (refused(421, b"4.7.0 Too many connections"), True),
        # The server's own settings, not this message: fixed by someone, then sent.
        (SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), True),
        (SMTPSenderRefused(553, b"5.1.8 Sender not allowed", "site@example.com"), True),
    ],
    ids=["no mailbox", "policy", "rejected message", "busy", "too many", "password", "sender"],
)
def test_a_permanent_refusal_is_not_retried_a_temporary_one_is(
    settings, queue, error, queued_again, monkeypatch
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "error", error)
    send_later(message())
    first = DBTaskResult.objects.get()
    first.delete()
    deliver.call(*first.args_kwargs["args"], **first.args_kwargs["kwargs"])
    assert DBTaskResult.objects.exists() == queued_again


def test_a_subject_is_always_one_line():
    sent = templated_message(
        "comments/email/reply",
        {"reply": None, "parent": None, "article": None},
        subject="Rosa\r\nBcc: victim@example.com replied",
        to=["friend@example.com"],
    )
    assert sent.subject == "Rosa Bcc: victim@example.com replied"


def test_with_the_database_queue_a_retry_waits_before_the_next_attempt(flaky, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    flaky.failures = 1
    send_later(message())
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {"attempt": 1}
    deliver.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after > timezone.now()
    assert mail.outbox == []


def test_mail_is_not_sent_to_an_address_that_complained(caplog):
    suppress("friend@example.com", Suppression.Reason.COMPLAINT, source="Postmark")
    with caplog.at_level(logging.INFO, logger="outbox.tasks"):
        outcome = deliver.call(message_payload(message()))
    assert outcome == "suppressed"
    assert mail.outbox == []
    assert "suppressed" in caplog.records[-1].getMessage()
    assert "friend@example.com" not in caplog.text


def test_the_other_recipients_of_a_message_still_get_it():
    suppress("Friend@Example.com", Suppression.Reason.HARD_BOUNCE, source="Postmark")
    email = message()
    email.to = ["Friend <friend@example.com>", "neighbour@example.com"]
    email.cc = ["friend@example.com", "aunt@example.com"]
    email.bcc = ["friend@example.com"]
    assert deliver.call(message_payload(email)) == "sent"
    sent = mail.outbox[0]
    assert (sent.to, sent.cc, sent.bcc) == (["neighbour@example.com"], ["aunt@example.com"], [])


def test_mail_the_reader_asked_for_reaches_an_address_that_only_unsubscribed():
    suppress("friend@example.com", Suppression.Reason.UNSUBSCRIBED, source="reader")
    assert deliver.call(message_payload(message())) == "sent"
    assert mail.outbox[0].to == ["friend@example.com"]


def test_a_retry_asks_again_whether_the_address_may_get_mail(flaky, queue):
    flaky.failures = 1
    send_later(message())
    first = DBTaskResult.objects.get()
    first.delete()
    assert deliver.call(*first.args_kwargs["args"], **first.args_kwargs["kwargs"]) == "retrying"
    suppress("friend@example.com", Suppression.Reason.HARD_BOUNCE, source="Postmark")
    queue()
    assert mail.outbox == []
    assert not DBTaskResult.objects.exists()
