"""Gift links: a subscriber gives a friend one article, whole, for a few days — that article
only, never after expiry or revocation, within a monthly allowance, checked on the server."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.signing import Signer
from django.utils import timezone

from magazine.models import Article
from paywall import gifts
from paywall.models import GiftLink
from tests.factories import (
    HIDDEN,
    make_article,
    make_gift_link,
    make_publication,
    make_user,
    subscribe,
)

pytestmark = pytest.mark.django_db

INVALID = "This gift link doesn’t work."


def path_of(url):
    return url.removeprefix("https://magazine.example")


def page(client, url):
    response = client.get(path_of(url))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def gifted_url(client, subscriber, article, share):
    """The link in the email Ann sends with a gift; Ann is then logged out."""
    client.force_login(subscriber)
    share(article, gift="on")
    client.logout()
    (message,) = mail.outbox
    return re.search(r"-- Read the story at (\S+)", message.body).group(1)


def test_a_gift_link_opens_the_whole_article_to_anyone_without_an_account(client, gifted_url):
    html = page(client, gifted_url)
    assert HIDDEN in html
    assert 'id="paywall"' not in html


def test_the_gifted_page_says_who_gave_it_and_invites_the_friend_to_subscribe(client, gifted_url):
    html = page(client, gifted_url)
    assert "Ann Example gave you this article." in html
    assert "Enjoyed this gift? Subscribe to read everything." in html
    assert "https://example.com/subscribe" in html


def test_reloading_the_gifted_page_keeps_it_open(client, gifted_url):
    page(client, gifted_url)
    assert HIDDEN in page(client, gifted_url)


def test_the_gifted_page_is_never_publicly_cached(client, gifted_url):
    response = client.get(path_of(gifted_url))
    assert "private" in response["Cache-Control"]


def test_a_gift_link_opens_no_other_article(client, article, publication):
    other = make_article(publication, access=Article.Access.SUBSCRIBERS, title="Raising goats")
    token = gifts.token_for(make_gift_link(article))
    html = page(client, f"{other.get_absolute_url()}?gift={token}")
    assert HIDDEN not in html
    assert 'id="paywall"' in html
    assert "This gift link is for another article:" in html
    assert "Mending fences" in html


def test_a_gift_link_opens_nothing_after_it_expires(client, article):
    link = make_gift_link(article, days=7)
    url = gifts.url_for(link)
    with time_machine.travel(link.expires_at - timedelta(seconds=1)):
        assert HIDDEN in page(client, url)
    with time_machine.travel(link.expires_at + timedelta(seconds=1)):
        html = page(client, url)
    assert HIDDEN not in html
    assert "This gift link expired on" in html
    assert 'id="paywall"' in html


def test_a_gift_link_revoked_by_staff_opens_nothing(client, article):
    link = make_gift_link(article)
    link.revoked_at = timezone.now()
    link.save()
    html = page(client, gifts.url_for(link))
    assert HIDDEN not in html
    assert "This gift link has been withdrawn." in html


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: "9" + token,  # another gift's number, same signature
        lambda token: token.split(":")[0],  # signature cut off
        lambda token: Signer().sign(token.split(":")[0]),  # signed, but not for gifts
        lambda token: Signer(salt=gifts.SALT).sign("not-a-number"),
        lambda token: "%%%<script>",
    ],
)
def test_a_tampered_token_gives_the_paywall_with_a_clear_notice(client, article, tamper):
    token = tamper(gifts.token_for(make_gift_link(article)))
    response = client.get(article.get_absolute_url(), {"gift": token})
    html = response.content.decode()
    assert response.status_code == 200
    assert HIDDEN not in html
    assert INVALID in html
    assert 'id="paywall"' in html
    assert "<script>" not in html


def test_a_token_for_a_deleted_gift_is_refused_like_a_tampered_one(client, article):
    link = make_gift_link(article)
    url = gifts.url_for(link)
    link.delete()
    html = page(client, url)
    assert HIDDEN not in html
    assert INVALID in html


def test_a_logged_in_reader_without_a_subscription_may_read_a_gift_too(client, gifted_url):
    client.force_login(make_user("bo@example.com"))
    assert HIDDEN in page(client, gifted_url)


def test_a_subscriber_of_the_article_may_tick_include_a_gift_link(client, subscriber, share_url):
    client.force_login(subscriber)
    html = client.get(share_url).content.decode()
    assert "Include a gift link" in html
    assert "10 gifts left this month." in html


def test_the_form_counts_the_gifts_given_this_month(client, subscriber, article, share_url):
    for _ in range(3):
        make_gift_link(article, giver=subscriber)
    client.force_login(subscriber)
    assert "7 gifts left this month." in client.get(share_url).content.decode()


@pytest.mark.parametrize("who", ["registered reader", "subscriber elsewhere"])
def test_only_a_subscriber_who_may_read_the_article_is_offered_a_gift(
    client, article, share, share_url, who
):
    reader = make_user(verified=True)
    if who == "subscriber elsewhere":
        subscribe(reader, make_publication())
    client.force_login(reader)
    assert "Include a gift link" not in client.get(share_url).content.decode()
    share(article, gift="on")
    assert "gift=" not in mail.outbox[0].body
    assert not GiftLink.objects.exists()


def test_no_gift_is_offered_for_an_article_anyone_may_read(client, subscriber, publication):
    free = make_article(publication, access=Article.Access.FREE)
    client.force_login(subscriber)
    url = f"{free.get_absolute_url()}share/"
    assert "Include a gift link" not in client.get(url).content.decode()


def test_no_gift_is_given_past_the_monthly_allowance(
    client, subscriber, article, share, share_url, settings
):
    settings.SHARING_GIFTS_PER_MONTH = 2
    for _ in range(2):
        make_gift_link(article, giver=subscriber)
    client.force_login(subscriber)
    html = client.get(share_url).content.decode()
    assert "You have given all your gifts this month" in html
    share(article, gift="on")
    assert "gift=" not in mail.outbox[0].body
    assert GiftLink.objects.count() == 2


def test_the_allowance_comes_back_next_month(client, subscriber, article, share_url, settings):
    settings.SHARING_GIFTS_PER_MONTH = 2
    next_month = (gifts.month_start(timezone.now()) + timedelta(days=32)).replace(day=1)
    with time_machine.travel(next_month - timedelta(hours=1)):
        for _ in range(2):
            make_gift_link(article, giver=subscriber)
        client.force_login(subscriber)
        assert "all your gifts this month" in client.get(share_url).content.decode()
    with time_machine.travel(next_month + timedelta(minutes=30)):
        assert "2 gifts left this month." in client.get(share_url).content.decode()


def test_each_friend_gets_a_gift_link_of_their_own(client, subscriber, article, share):
    client.force_login(subscriber)
    share(article, to="bo@example.com, cy@example.com", gift="on")
    tokens = [re.search(r"\?gift=(\S+)", m.body).group(1) for m in mail.outbox]
    assert len(set(tokens)) == 2
    assert GiftLink.objects.filter(giver=subscriber, giver_name="Ann Example").count() == 2


def test_the_gift_email_says_what_the_link_does(client, subscriber, article, share):
    client.force_login(subscriber)
    share(article, gift="on")
    body = mail.outbox[0].body
    assert "Ann Example has given you this article" in body
    assert "without an account, until" in body
    assert HIDDEN not in body


def test_giving_checks_the_paywall_whoever_calls_it(article):
    reader_without_subscription = make_user()
    from paywall.readers import reader_for_user

    with pytest.raises(gifts.GiftRefused):
        gifts.give(
            reader=reader_for_user(reader_without_subscription),
            giver=reader_without_subscription,
            giver_name="Bo",
            article=article,
            count=1,
            now=timezone.now(),
        )
    assert not GiftLink.objects.exists()


def test_the_admin_filter_and_a_links_status_follow_one_rule(article):
    now = timezone.now()
    links = [
        make_gift_link(article),  # active
        make_gift_link(article, days=-1),  # expired
        make_gift_link(article, revoked_at=now - timedelta(hours=1)),  # revoked
        make_gift_link(article, revoked_at=now + timedelta(days=1)),  # to be revoked: active
        make_gift_link(article, days=-2, revoked_at=now - timedelta(days=1)),  # revoked last
    ]
    for status in GiftLink.Status.values:
        filtered = set(GiftLink.objects.with_status(status, now))
        assert filtered == {link for link in links if link.status(now) == status}
    assert [link.status(now) for link in links] == [
        "active",
        "expired",
        "revoked",
        "active",
        "revoked",
    ]
