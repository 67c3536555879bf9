"""Outgoing email is sent in the background and tried again when the mail server fails."""

import logging
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.locmem import EmailBackend as LocMemBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.tasks import deliver, send_later

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


def test_a_failed_send_is_retried_until_it_goes_through(flaky, caplog):
    flaky.failures = 2
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        send_later(message())
    assert len(mail.outbox) == 1
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]


def test_after_the_last_attempt_the_failure_is_logged_not_raised(flaky, caplog, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    flaky.failures = 10
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        send_later(message())  # no exception reaches the view
    assert mail.outbox == []
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING", "ERROR"]
    assert "Giving up" in caplog.records[-1].getMessage()


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
