"""End to end through a real SMTP server on localhost: the settings path a deployment uses."""

from email import message_from_bytes
from email.policy import default

import pytest

pytestmark = pytest.mark.django_db


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
