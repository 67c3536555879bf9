"""What email providers report through their webhooks puts addresses on the suppression list:
hard bounces and complaints at once, soft bounces when they add up; a caller without the
webhook secret is refused, and an odd payload is logged, never answered with an error."""

import base64
import hashlib
import hmac
import json
import logging

import pytest
from anymail.signals import AnymailTrackingEvent

from outbox.bounces import SOFT_BOUNCE, verdict
from outbox.models import SoftBounce, Suppression
from outbox.suppression import is_suppressed

pytestmark = pytest.mark.django_db

Reason = Suppression.Reason
SECRET = "webhook:s3cret-passphrase"
MAILGUN_KEY = "mailgun-signing-key"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def basic_auth(secret):
    return {"authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


def post(client, provider, payload, *, secret=SECRET):
    return client.post(
        f"/anymail/{provider}/tracking/",
        json.dumps(payload),
        content_type="application/json",
        headers=basic_auth(secret),
    )


def postmark(record_type, kind, email="jane@example.com"):
    """A Postmark bounce or spam complaint webhook, as in Postmark's documentation."""
    return {
        "RecordType": record_type,
        "ID": 4323372036854775807,
        "Type": kind,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message.",
        "Details": "Test bounce details",
        "Email": email,
        "From": "hello@magazine.example",
        "BouncedAt": "2026-03-02T12:00:00.0000000Z",
        "Inactive": True,
        "Subject": "Your receipt",
        "MessageStream": "outbound",
        "Tag": "",
        "Metadata": {},
    }


def mailgun(event, **data):
    """A Mailgun webhook, signed with the signing key."""
    timestamp, token = "1772452800", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(MAILGUN_KEY.encode(), (timestamp + token).encode(), hashlib.sha256)
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": {
            "event": event,
            "timestamp": 1772452800.0,
            "id": "CPgfbmQMTCKtHW6uIWtuVe",
            "recipient": "jane@example.com",
            "message": {"headers": {"message-id": "20260302120000.1.ABC@magazine.example"}},
            **data,
        },
    }


def test_a_postmark_hard_bounce_suppresses_the_address(client):
    assert post(client, "postmark", postmark("Bounce", "HardBounce")).status_code == 200
    row = Suppression.objects.get()
    assert (row.reason, row.source) == (Reason.HARD_BOUNCE, "Postmark")
    assert is_suppressed("jane@example.com", transactional=True)


def test_a_postmark_spam_complaint_suppresses_the_address(client):
    payload = postmark("SpamComplaint", "SpamComplaint")
    assert post(client, "postmark", payload).status_code == 200
    assert Suppression.objects.get().reason == Reason.COMPLAINT


def test_a_postmark_soft_bounce_is_counted_not_suppressed(client):
    assert post(client, "postmark", postmark("Bounce", "SoftBounce")).status_code == 200
    assert not Suppression.objects.exists()
    assert SoftBounce.objects.count() == 1


def test_an_unsubscribe_through_postmark_stops_bulk_mail_only(client):
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ChangedAt": "2026-03-02T12:00:00Z",
        "Recipient": "jane@example.com",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "MessageStream": "broadcast",
    }
    assert post(client, "postmark", payload).status_code == 200
    assert is_suppressed("jane@example.com")
    assert not is_suppressed("jane@example.com", transactional=True)


def test_a_mailgun_permanent_failure_suppresses_the_address(client):
    payload = mailgun("failed", severity="permanent", reason="bounce")
    assert post(client, "mailgun", payload).status_code == 200
    row = Suppression.objects.get()
    assert (row.reason, row.source) == (Reason.HARD_BOUNCE, "Mailgun")


def test_a_mailgun_temporary_failure_is_a_soft_bounce(client):
    payload = mailgun("failed", severity="temporary", reason="generic")
    assert post(client, "mailgun", payload).status_code == 200
    assert not Suppression.objects.exists()
    assert SoftBounce.objects.count() == 1


def test_a_mailgun_complaint_suppresses_the_address(client):
    assert post(client, "mailgun", mailgun("complained")).status_code == 200
    assert Suppression.objects.get().reason == Reason.COMPLAINT


def test_a_wrong_webhook_secret_is_refused(client):
    response = post(client, "postmark", postmark("Bounce", "HardBounce"), secret="webhook:guess")
    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_mailgun_event_with_a_forged_signature_is_refused(client):
    payload = mailgun("failed", severity="permanent", reason="bounce")
    payload["signature"]["signature"] = "0" * 64
    assert post(client, "mailgun", payload).status_code == 400
    assert not Suppression.objects.exists()


def test_without_a_webhook_secret_the_webhooks_are_not_there(client, settings):
    # anymail would take any POST then: anyone could suppress anyone's address.
    settings.ANYMAIL = {}
    response = client.post(
        "/anymail/postmark/tracking/",
        json.dumps(postmark("Bounce", "HardBounce")),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_the_webhook_of_a_provider_whose_keys_are_not_set_is_not_there(client, settings, caplog):
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET]}  # and no Mailgun signing key
    payload = mailgun("failed", severity="permanent", reason="bounce")
    with caplog.at_level(logging.WARNING, logger="outbox.webhooks"):
        assert post(client, "mailgun", payload).status_code == 404
    assert "MAILGUN_WEBHOOK_SIGNING_KEY" in caplog.text


def test_an_odd_payload_is_logged_and_answered_with_success(client, caplog):
    payload = postmark("Bounce", "HardBounce", email={"not": "an address"})
    with caplog.at_level(logging.ERROR, logger="outbox.bounces"):
        assert post(client, "postmark", payload).status_code == 200
    assert not Suppression.objects.exists()
    assert "Could not read a Postmark tracking event" in caplog.text


def test_an_event_without_a_recipient_changes_nothing(client):
    assert post(client, "postmark", postmark("Bounce", "HardBounce", email=None)).status_code == 200
    assert not Suppression.objects.exists()


def test_deliveries_and_opens_change_nothing(client):
    delivery = {
        "RecordType": "Delivery",
        "Recipient": "jane@example.com",
        "DeliveredAt": "2026-03-02T12:00:00Z",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    }
    assert post(client, "postmark", delivery).status_code == 200
    assert not Suppression.objects.exists() and not SoftBounce.objects.exists()


def event(event_type, reject_reason=None, esp_event=None):
    return AnymailTrackingEvent(
        event_type=event_type, reject_reason=reject_reason, esp_event=esp_event or {}
    )


@pytest.mark.parametrize(
    ("provider", "reported", "meaning"),
    [
        ("Postmark", event("bounced", "bounced", {"Type": "HardBounce"}), Reason.HARD_BOUNCE),
        ("Postmark", event("bounced", "bounced", {"Type": "SoftBounce"}), SOFT_BOUNCE),
        ("SendGrid", event("bounced", None, {"type": "bounce"}), Reason.HARD_BOUNCE),
        ("SendGrid", event("bounced", None, {"type": "blocked"}), SOFT_BOUNCE),
        ("Amazon SES", event("bounced", "bounced", {"bounce": {"bounceType": "Permanent"}}),
         Reason.HARD_BOUNCE),
        ("Amazon SES", event("bounced", "bounced", {"bounce": {"bounceType": "Transient"}}),
         SOFT_BOUNCE),
        ("Brevo", event("bounced", "bounced", {"event": "soft_bounce"}), SOFT_BOUNCE),
        ("Mailjet", event("bounced", "bounced", {"hard_bounce": False}), SOFT_BOUNCE),
        ("Resend", event("bounced", "bounced", {"data": {"bounce": {"type": "Transient"}}}),
         SOFT_BOUNCE),
        ("SparkPost", event("bounced", "bounced",
                            {"msys": {"message_event": {"bounce_class": "22"}}}), SOFT_BOUNCE),
        ("SparkPost", event("bounced", "invalid",
                            {"msys": {"message_event": {"bounce_class": "10"}}}),
         Reason.HARD_BOUNCE),
        ("SparkPost", event("bounced", "spam"), SOFT_BOUNCE),  # refused as spam: our message
        ("Mailgun", event("deferred"), SOFT_BOUNCE),
        ("Mailgun", event("complained", "spam"), Reason.COMPLAINT),
        ("Mailgun", event("unsubscribed"), Reason.UNSUBSCRIBED),
        ("SendGrid", event("rejected", "bounced"), Reason.HARD_BOUNCE),
        ("SendGrid", event("rejected", "spam"), Reason.COMPLAINT),
        ("SendGrid", event("rejected", "unsubscribed"), Reason.UNSUBSCRIBED),
        ("SendGrid", event("rejected", "other"), None),
        ("Postmark", event("delivered"), None),
        ("Postmark", event("opened"), None),
        ("Postmark", event("bounced", "bounced", "not a dict at all"), Reason.HARD_BOUNCE),
    ],
)  # fmt: skip
def test_what_each_provider_event_means_for_the_address(provider, reported, meaning):
    assert verdict(reported, provider) == meaning
