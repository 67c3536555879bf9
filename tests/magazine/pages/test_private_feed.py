"""A reader's private feed: the whole of what they may read, the teaser of the rest, decided by
the paywall each time it is fetched."""

from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.utils import timezone

from accounts.models import FeedToken
from magazine.models import Article
from paywall.subscriptions import cancel
from tests.factories import (
    HIDDEN,
    make_article,
    make_publication,
    make_section,
    make_user,
    subscribe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber():
    return make_user("subscriber@example.com")


@pytest.fixture
def articles():
    mine = make_section(make_publication(slug="mine"))
    theirs = make_section(make_publication(slug="theirs"))
    return {
        "subscribed": make_article(section=mine, slug="subscribed", access="subscribers"),
        "registered": make_article(section=theirs, slug="registered", access="registered"),
        "not subscribed": make_article(section=theirs, slug="other", access="subscribers"),
    }


def feed_url(user, fmt="rss"):
    token, _ = FeedToken.objects.get_or_create(user=user)
    return f"/feeds/private/{token.key}/{fmt}/"


def contents(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    return {e.link.rstrip("/").rsplit("/", 1)[1]: e.content[0].value for e in parsed.entries}


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_private_feed_has_the_whole_of_what_its_reader_may_read(client, subscriber, articles, fmt):
    subscribe(subscriber, articles["subscribed"].publication)
    feed = contents(client, feed_url(subscriber, fmt))
    assert HIDDEN in feed["subscribed"]
    assert HIDDEN in feed["registered"]
    assert HIDDEN not in feed["other"]
    assert "The rest of this article is for subscribers." in feed["other"]


def test_cancelling_the_subscription_turns_the_feed_back_to_teasers_at_once(
    client, subscriber, articles
):
    subscription = subscribe(subscriber, articles["subscribed"].publication)
    url = feed_url(subscriber)
    assert HIDDEN in contents(client, url)["subscribed"]
    cancel(subscription=subscription)
    assert HIDDEN not in contents(client, url)["subscribed"]


def test_a_lapsed_subscription_turns_the_feed_back_to_teasers(
    client, subscriber, articles, settings
):
    subscribe(subscriber, articles["subscribed"].publication, days=30)
    url = feed_url(subscriber)
    grace_over = timezone.now() + timedelta(days=30 + settings.PAYWALL_GRACE_DAYS, minutes=1)
    with time_machine.travel(grace_over):
        feed = contents(client, url)
    assert HIDDEN not in feed["subscribed"]
    assert "open paragraph everyone may read" in feed["subscribed"]


def test_private_feed_is_never_cached_by_others_nor_indexed(client, subscriber, articles):
    response = client.get(feed_url(subscriber))
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_a_made_up_or_deactivated_address_is_not_found(client, subscriber, articles):
    assert client.get("/feeds/private/not-a-real-key/rss/").status_code == 404
    url = feed_url(subscriber)
    subscriber.is_active = False
    subscriber.save()
    assert client.get(url).status_code == 404


def test_unpublished_articles_stay_out_of_a_staff_members_feed(client, articles):
    make_article(slug="draft", status=Article.Status.DRAFT)
    editor = make_user(is_staff=True)
    feed = contents(client, feed_url(editor))
    assert set(feed) == {"subscribed", "registered", "other"}
    assert all(HIDDEN in text for text in feed.values())
