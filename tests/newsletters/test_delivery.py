"""Handing messages to a real mail server: what it accepts is sent once, what it refuses for
good is not tried again, and a server that is away holds the send until the next tick."""

import itertools
import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from magazine.models import Article
from newsletters import sending
from newsletters.models import Delivery, Send
from tests.factories import HIDDEN, make_article, make_publication, make_user, subscribe
from tests.newsletters.helpers import make_newsletter, sign_up, tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def title():
    return make_publication(name="Homestead Almanac")


def test_a_send_through_a_real_smtp_server(smtp_inbox, title):
    newsletter = make_newsletter(title, sender_name="Homestead Almanac")
    subscriber, reader = make_user("subscriber@example.com"), make_user("reader@example.com")
    subscribe(subscriber, title)
    sign_up(newsletter, subscriber)
    sign_up(newsletter, reader)
    make_article(
        title, access=Article.Access.SUBSCRIBERS, publish_at=timezone.now() - timedelta(minutes=1)
    )
    tick()
    assert sorted(e.rcpt_tos[0] for e in smtp_inbox.envelopes) == [
        "reader@example.com",
        "subscriber@example.com",
    ]
    whole, teaser = (
        smtp_inbox.letter_to("subscriber@example.com"),
        smtp_inbox.letter_to("reader@example.com"),
    )
    assert whole["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert whole["From"].addresses[0].display_name == "Homestead Almanac"
    assert {part.get_content_type() for part in whole.walk()} >= {"text/plain", "text/html"}
    assert HIDDEN in whole.get_body(("plain",)).get_content()
    assert HIDDEN in whole.get_body(("html",)).get_content()
    for part in teaser.walk():
        if part.get_content_maintype() == "text":
            assert HIDDEN not in part.get_content()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert Send.objects.get().finished_at is not None


class FlakyBackend(EmailBackend):
    """Refuses some recipients for good, and drops the connection at one of them."""

    refused = {"gone@example.com"}
    drop_at = set()

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such mailbox")})
            if message.to[0] in self.drop_at:
                raise smtplib.SMTPServerDisconnected("Connection lost")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    return FlakyBackend


def test_a_refused_recipient_fails_and_the_rest_go(flaky, title):
    from django.core import mail

    newsletter = make_newsletter(title)
    for address in ["a@example.com", "gone@example.com", "b@example.com"]:
        sign_up(newsletter, email=address)
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    tick()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    failed = Delivery.objects.get(state="failed")
    assert failed.signup.email == "gone@example.com" and "550" in failed.detail
    tick()
    assert len(mail.outbox) == 2


def test_a_lost_connection_stops_the_send_and_the_message_it_cut_off_is_not_sent_twice(
    flaky, title, monkeypatch
):
    """The server may have taken the message it dropped the connection on, or not: better a
    reader misses one email than gets it twice. The rest wait for the next tick."""
    from django.core import mail

    newsletter = make_newsletter(title)
    for address in ["a@example.com", "b@example.com", "c@example.com"]:
        sign_up(newsletter, email=address)
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    monkeypatch.setattr(FlakyBackend, "drop_at", {"b@example.com"})
    tick()
    assert [m.to[0] for m in mail.outbox] == ["a@example.com"]
    assert Delivery.objects.get(signup__email="c@example.com").state == "queued"
    cut_off = Delivery.objects.get(signup__email="b@example.com")
    assert cut_off.state == "sending" and "lost" in cut_off.detail
    assert Send.objects.get().finished_at is None
    monkeypatch.setattr(FlakyBackend, "drop_at", set())
    tick()
    assert [m.to[0] for m in mail.outbox] == ["a@example.com", "c@example.com"]
    assert Send.objects.get().finished_at is not None


class TemporaryBackend(EmailBackend):
    """Greylists one recipient (450) and, while `busy`, refuses messages for now (421)."""

    greylisted = set()
    busy = False

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.greylisted:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (450, b"Try again later")})
            if self.busy:
                raise smtplib.SMTPDataError(421, b"Too busy, come back later")
        return super().send_messages(messages)


@pytest.fixture
def temporary(settings):
    settings.EMAIL_BACKEND = f"{__name__}.TemporaryBackend"
    return TemporaryBackend


def test_a_recipient_told_to_try_later_is_tried_at_the_next_tick_and_the_rest_go_now(
    temporary, title, monkeypatch
):
    from django.core import mail

    newsletter = make_newsletter(title)
    for address in ["a@example.com", "later@example.com", "c@example.com"]:
        sign_up(newsletter, email=address)
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    monkeypatch.setattr(TemporaryBackend, "greylisted", {"later@example.com"})
    tick()
    assert [m.to[0] for m in mail.outbox] == ["a@example.com", "c@example.com"]
    waiting = Delivery.objects.get(signup__email="later@example.com")
    assert waiting.state == "queued" and "450" in waiting.detail
    monkeypatch.setattr(TemporaryBackend, "greylisted", set())
    tick()
    assert [m.to[0] for m in mail.outbox][-1] == "later@example.com" and len(mail.outbox) == 3


def test_a_server_busy_for_now_holds_every_message_for_the_next_tick(temporary, title, monkeypatch):
    from django.core import mail

    newsletter = make_newsletter(title)
    for address in ["a@example.com", "b@example.com"]:
        sign_up(newsletter, email=address)
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    monkeypatch.setattr(TemporaryBackend, "busy", True)
    assert sending.run(timezone.now()) is False  # not "go on at once": no tight loop
    assert set(Delivery.objects.values_list("state", flat=True)) == {"queued"}
    monkeypatch.setattr(TemporaryBackend, "busy", False)
    tick()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]


class FakeClock:
    """A monotonic clock that moves only when slept on, noting when each message left."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_messages_leave_no_faster_than_the_rate_allows(title, settings, monkeypatch):
    from django.core import mail

    settings.NEWSLETTER_RATE_PER_SECOND = 5
    fake = FakeClock()
    monkeypatch.setattr(sending, "clock", fake)
    left_at = []
    original = EmailBackend.send_messages

    def noting(self, messages):
        left_at.append(fake.now)
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", noting)
    newsletter = make_newsletter(title)
    for n in range(11):
        sign_up(newsletter, email=f"r{n}@example.com")
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    tick()
    assert len(mail.outbox) == 11
    gaps = [later - earlier for earlier, later in itertools.pairwise(left_at)]
    assert min(gaps) == pytest.approx(0.2)
    assert left_at[-1] - left_at[0] == pytest.approx(2.0)  # 11 messages in 2 s: 5 a second


def test_a_send_costs_a_fixed_number_of_queries_per_batch(title, django_assert_max_num_queries):
    newsletter = make_newsletter(title)
    for _ in range(30):
        person = make_user()
        subscribe(person, title)
        sign_up(newsletter, person)
    make_article(
        title, access=Article.Access.SUBSCRIBERS, publish_at=timezone.now() - timedelta(minutes=1)
    )
    # Per message: the two marks (sending, sent). Per batch: a handful. Never per reader beyond.
    with django_assert_max_num_queries(2 * 30 + 25):
        tick()


class ClosingBackend(EmailBackend):
    """Says 421 at one recipient, once: the server is closing the connection."""

    said = False

    def send_messages(self, messages):
        if messages[0].to[0] == "b@example.com" and not ClosingBackend.said:
            ClosingBackend.said = True
            raise smtplib.SMTPRecipientsRefused({"b@example.com": (421, b"Closing")})
        return super().send_messages(messages)


def test_a_server_closing_the_connection_at_a_recipient_loses_no_one(title, settings):
    """421 means the server is closing the connection (smtplib closes it too): the next
    recipient must not be tried on the dead connection and lost."""
    from django.core import mail

    settings.EMAIL_BACKEND = f"{__name__}.ClosingBackend"
    ClosingBackend.said = False
    newsletter = make_newsletter(title)
    for address in ["a@example.com", "b@example.com", "c@example.com"]:
        sign_up(newsletter, email=address)
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    tick()
    assert [m.to[0] for m in mail.outbox] == ["a@example.com"]
    assert set(Delivery.objects.exclude(state="sent").values_list("state", flat=True)) == {"queued"}
    tick()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]


def test_a_recipient_told_to_try_later_for_a_whole_day_is_given_up(temporary, title, monkeypatch):
    monkeypatch.setattr(TemporaryBackend, "greylisted", {"later@example.com"})
    sign_up(make_newsletter(title), email="later@example.com")
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    tick()
    assert Delivery.objects.get().state == "queued"
    tick(timezone.now() + timedelta(days=1, minutes=1))
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and "450" in delivery.detail
    assert Send.objects.get().finished_at is not None


def test_a_send_cancelled_while_a_message_is_refused_for_now_stays_cancelled(
    temporary, title, monkeypatch
):
    from django.core import mail

    class CancelledMeanwhile(EmailBackend):
        def send_messages(self, messages):
            sending.cancel(Send.objects.all(), timezone.now())  # staff, in another process
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (450, b"Later")})

    monkeypatch.setattr(TemporaryBackend, "send_messages", CancelledMeanwhile.send_messages)
    sign_up(make_newsletter(title), email="a@example.com")
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    tick()
    monkeypatch.undo()
    tick()
    assert mail.outbox == []
