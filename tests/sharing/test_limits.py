"""Rate limits: so many emails an hour per sender and per IP address; past them a clear
message, HTTP 429, and nothing sent."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from paywall import gifts
from sharing import emails, limits
from sharing.models import Share
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

FIVE = ", ".join(f"friend{n}@example.com" for n in range(5))
LIMIT_MESSAGE = "That would take you past the limit of {} emails an hour, so nothing was sent."


@pytest.fixture
def clock():
    """Half past some hour, so a test's requests fall in one hourly window."""
    start = timezone.now().replace(minute=30, second=0, microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def logged_in(client, subscriber, clock):
    client.force_login(subscriber)
    return client


def test_a_sender_may_send_ten_emails_an_hour_and_no_more(logged_in, article, share):
    assert share(article, to=FIVE).status_code == 302
    assert share(article, to=FIVE).status_code == 302
    response = share(article, to="one.more@example.com")
    assert response.status_code == 429
    assert LIMIT_MESSAGE.format(10) in response.content.decode()
    assert len(mail.outbox) == 10
    assert Share.objects.count() == 2


def test_over_the_limit_the_form_keeps_what_was_typed_and_says_when_to_retry(
    logged_in, article, share, settings
):
    settings.SHARING_EMAILS_PER_HOUR_PER_USER = 1
    share(article)
    response = share(article, to="bo@example.com", note="Still here")
    assert response.status_code == 429
    assert 'value="bo@example.com"' in response.content.decode()
    assert "Still here</textarea>" in response.content.decode()
    assert response["Retry-After"] == str(30 * 60 + 1)


def test_a_share_that_would_pass_the_limit_is_refused_whole(logged_in, article, share):
    share(article, to=FIVE)
    share(article, to="a@example.com, b@example.com, c@example.com")
    assert share(article, to=FIVE).status_code == 429
    assert len(mail.outbox) == 8
    assert share(article, to="d@example.com, e@example.com").status_code == 302
    assert len(mail.outbox) == 10


def test_the_limit_starts_again_the_next_hour(logged_in, article, share, clock):
    share(article, to=FIVE)
    share(article, to=FIVE)
    assert share(article).status_code == 429
    clock.shift(timedelta(minutes=31))
    assert share(article).status_code == 302


def test_the_limit_follows_the_sender_not_the_article(logged_in, article, share, publication):
    other = make_article(publication)
    share(article, to=FIVE)
    share(other, to=FIVE)
    assert share(other).status_code == 429


def test_several_accounts_from_one_address_share_its_limit(client, article, share, settings, clock):
    settings.SHARING_EMAILS_PER_HOUR_PER_IP = 3
    for n in range(3):
        client.force_login(make_user(f"user{n}@example.com", verified=True))
        assert share(article).status_code == 302
    client.force_login(make_user("user4@example.com", verified=True))
    response = share(article)
    assert response.status_code == 429
    assert LIMIT_MESSAGE.format(3) in response.content.decode()
    assert len(mail.outbox) == 3


def test_another_address_has_a_limit_of_its_own(client, article, share, settings, clock):
    settings.SHARING_EMAILS_PER_HOUR_PER_IP = 1
    client.force_login(make_user(verified=True))
    assert share(article).status_code == 302
    client.defaults["REMOTE_ADDR"] = "203.0.113.9"
    client.force_login(make_user(verified=True))
    assert share(article).status_code == 302


def test_anonymous_senders_have_a_stricter_limit(client, article, share, settings, clock):
    settings.SHARING_ALLOW_ANONYMOUS = True
    settings.SHARING_ANONYMOUS_EMAILS_PER_HOUR_PER_IP = 2
    assert share(article).status_code == 302
    assert share(article).status_code == 302
    response = share(article)
    assert response.status_code == 429
    assert LIMIT_MESSAGE.format(2) in response.content.decode()
    assert len(mail.outbox) == 2


def test_ipv6_senders_are_counted_by_their_network(client, article, share, settings, clock):
    settings.SHARING_ALLOW_ANONYMOUS = True
    settings.SHARING_ANONYMOUS_EMAILS_PER_HOUR_PER_IP = 1
    client.defaults["REMOTE_ADDR"] = "2001:db8:1:2::1"
    assert share(article).status_code == 302
    client.defaults["REMOTE_ADDR"] = "2001:db8:1:2:ffff::9"
    assert share(article).status_code == 429


def test_a_refused_gift_sends_nothing_and_counts_nothing(logged_in, article, share, monkeypatch):
    """Two sends racing for the last gift link: the loser sends nothing, and keeps its hour's
    allowance."""

    def refuse(**kwargs):
        raise gifts.GiftRefused("Not enough gift links left this month.")

    with monkeypatch.context() as patched:
        patched.setattr(emails.gifts, "give", refuse)
        refused = share(article, to=FIVE, gift="on")
    assert refused.status_code == 200
    assert "Not enough gift links left this month." in refused.content.decode()
    assert share(article, to=FIVE).status_code == 302
    assert share(article, to=FIVE).status_code == 302  # all ten of the hour still there
    assert len(mail.outbox) == 10


def test_the_counters_are_among_those_kept_in_memory_while_the_cache_is_away(settings):
    """caching.backends counts keys under CACHE_FALLBACK_PREFIXES in each process's memory
    during an outage: the share limits must be among them, or they would lapse."""
    key = limits._key(limits.Limit("user:1", 10), timezone.now())
    assert key.startswith(tuple(settings.CACHE_FALLBACK_PREFIXES))


def test_with_the_database_cache_a_counter_lasts_the_hour(settings, rf):
    """Its `incr` is a read and a write, which would give the counter the default 5 minutes."""
    settings.CACHES = {
        "default": {"BACKEND": "caching.backends.FaultTolerantDatabaseCache", "LOCATION": "t"}
    }
    call_command("createcachetable")
    request = rf.post("/")
    request.user = make_user()
    now = timezone.now()
    limits.take(request, 2, now=now)
    limits.take(request, 1, now=now)
    key = limits._key(limits.limits_for(request)[0], limits._window(now)[0])
    with time_machine.travel(now + timedelta(minutes=10)):
        assert cache.get(key) == 3
