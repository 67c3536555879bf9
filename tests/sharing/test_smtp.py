"""End to end through a real SMTP server on localhost: the settings path a deployment uses."""

import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_a_share_arrives_at_the_mail_server_as_sent(
    client, subscriber, article, share, smtp_inbox, settings
):
    settings.DEFAULT_FROM_EMAIL = "The Magazine Rack <hello@magazine.example>"
    client.force_login(subscriber)
    assert share(article, to="bo@example.com").status_code == 302

    (envelope,) = smtp_inbox.envelopes
    assert envelope.rcpt_tos == ["bo@example.com"]
    assert envelope.mail_from == "hello@magazine.example"
    received = message_from_bytes(envelope.original_content, policy=default)
    assert received["Subject"] == (
        "I thought you might be interested in this article on Mending fences"
    )
    assert received["From"] == "The Magazine Rack <hello@magazine.example>"
    assert received["Reply-To"] == "Ann Example <ann@example.com>"
    assert received["To"] == "bo@example.com"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",)).get_content()
    assert "-- Read the story at https://magazine.example/almanac/mending-fences/" in text
    assert "<h1" in received.get_body(("html",)).get_content()
