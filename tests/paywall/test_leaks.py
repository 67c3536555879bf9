"""The worst bug this product can have: subscriber-only text reaching someone who may not read it.

Every surface that can show article text is tried here, for each visitor who may not read the
article, with the article's hidden paragraph as the needle. New surfaces add a line to SURFACES.
"""

from datetime import timedelta
from io import StringIO

import feedparser
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import FeedToken
from magazine.models import Article
from magazine.pages.search import search
from magazine.pages.search.index import anonymous_may_read_whole
from paywall import gifts
from paywall.subscriptions import cancel
from tests.factories import (
    HIDDEN,
    make_article,
    make_author,
    make_comment,
    make_gift_link,
    make_issue,
    make_publication,
    make_section,
    make_tag,
    make_user,
    subscribe,
)

pytestmark = pytest.mark.django_db

NEEDLES = [HIDDEN, "SECRET-PARAGRAPH", "More for subscribers only"]
# Words found only in the hidden part (searching for a needle itself would echo it back).
HIDDEN_WORDS = ["hedgehog", "hedgehog sleeps", '"third plank"', "subscribers only"]


@pytest.fixture
def gated():
    """A subscribers-only and a registered-only article, with everything that lists them."""
    publication = make_publication(slug="almanac")
    section = make_section(publication, slug="garden")
    issue = make_issue(publication, volume=3, number=1)
    author, tag = make_author(slug="ada"), make_tag(slug="soil")
    articles = {
        access: make_article(
            section=section,
            access=access,
            issue=issue,
            authors=[author],
            tags=[tag],
            slug=f"gated-{access}",
            seo_description="",
        )
        for access in (Article.Access.SUBSCRIBERS, Article.Access.REGISTERED)
    }
    quoter = make_user("quoter@example.com")
    subscribe(quoter, publication)
    for article in articles.values():
        make_comment(
            article, quoter, body=f"As the article says: “{HIDDEN}” More for subscribers only"
        )
    return articles


def gift_url(article, shown_on=None, **fields):
    """`shown_on`'s address with a gift link to `article`."""
    link = make_gift_link(article, **fields)
    return f"{(shown_on or article).get_absolute_url()}?gift={gifts.token_for(link)}"


def surfaces(article):
    publication = article.publication.slug
    now = timezone.now()
    other = make_article(section=article.section, access=Article.Access.FREE, body="Elsewhere.")
    return {
        "article page": article.get_absolute_url(),
        "front page": "/",
        "publication home": f"/{publication}/",
        "section page": f"/{publication}/sections/garden/",
        "author page": f"/{publication}/authors/ada/",
        "tag page": f"/{publication}/tags/soil/",
        "issue page": f"/{publication}/issues/3-1/",
        "issue archive": f"/{publication}/issues/",
        "preview": reverse("article_preview", kwargs={"pk": article.pk}),
        "not found page": f"/{publication}/{article.slug}-nope/",
        "share page": reverse(
            "share_article", kwargs={"publication": publication, "slug": article.slug}
        ),
        "gift link for another article": gift_url(other, shown_on=article),
        "expired gift link": gift_url(article, expires_at=now - timedelta(seconds=1)),
        "revoked gift link": gift_url(article, revoked_at=now),
        "tampered gift link": gift_url(article) + "x",
        "comment permalink": article.comments.get().get_absolute_url(),
        "comments page 2": f"{article.get_absolute_url()}?comments=2",
        "reply form": f"{article.get_absolute_url()}?replyto={article.comments.get().pk}",
        "search for hidden words": "/search/?q=hedgehog+plank",
        "search of the publication": f"/{publication}/search/?q=hedgehog",
        "search for teaser words": "/search/?q=fences",
        "site RSS feed": "/feeds/rss/",
        "site Atom feed": "/feeds/atom/",
        "publication RSS feed": f"/{publication}/feeds/rss/",
        "publication Atom feed": f"/{publication}/feeds/atom/",
        "section RSS feed": f"/{publication}/sections/garden/feeds/rss/",
        "section Atom feed": f"/{publication}/sections/garden/feeds/atom/",
        "sitemap": "/sitemap.xml",
        "publication sitemap": f"/sitemap-articles-{publication}.xml",
        "robots.txt": "/robots.txt",
    }


def visitors(article):
    """Everyone who may not read `article` whole: the user to log in as, or None."""
    if article.access == Article.Access.REGISTERED:
        return {"anonymous": None}
    other = make_user("other-subscriber@example.com")
    subscribe(other, make_publication())
    return {
        "anonymous": None,
        "registered reader": make_user("reader@example.com"),
        "subscriber elsewhere": other,
    }


def assert_no_needle(text, where):
    for needle in NEEDLES:
        assert needle not in text, f"hidden text leaked through {where}"


@pytest.mark.parametrize("access", [Article.Access.SUBSCRIBERS, Article.Access.REGISTERED])
def test_hidden_text_appears_on_no_surface(client, gated, access):
    article = gated[access]
    for who, user in visitors(article).items():
        client.logout()
        if user:
            client.force_login(user)
        for surface, url in surfaces(article).items():
            response = client.get(url, follow=True)
            assert_no_needle(response.content.decode(), f"{surface} for {who}")


def test_render_cache_warmed_by_a_subscriber_gives_nothing_away(client, gated):
    article = gated[Article.Access.SUBSCRIBERS]
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    client.force_login(subscriber)
    assert HIDDEN in client.get(article.get_absolute_url()).content.decode()
    client.logout()
    assert_no_needle(client.get(article.get_absolute_url()).content.decode(), "a warm cache")


def test_metadata_and_structured_data_carry_only_the_teaser(client, gated):
    article = gated[Article.Access.SUBSCRIBERS]
    html = client.get(article.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]
    assert_no_needle(head, "head metadata")
    assert '"isAccessibleForFree": false' in html


def test_failed_paywall_login_page_gives_nothing_away(client, gated):
    article = gated[Article.Access.SUBSCRIBERS]
    make_user("sub@example.com", password="correct horse battery")
    response = client.post(
        "/accounts/login/",
        {
            "login": "sub@example.com",
            "password": "wrong",
            "next": article.get_absolute_url(),
            "paywall": "1",
        },
        follow=True,
    )
    assert_no_needle(response.content.decode(), "the failed-login page")


def test_gated_responses_are_never_publicly_cacheable(client, gated):
    for article in gated.values():
        response = client.get(article.get_absolute_url())
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("access", [Article.Access.SUBSCRIBERS, Article.Access.REGISTERED])
@pytest.mark.parametrize("gift", ["", "on"])
def test_share_emails_quote_only_the_teaser_even_from_a_subscriber(client, gated, access, gift):
    article = gated[access]
    subscriber = make_user("sub@example.com", verified=True)
    subscribe(subscriber, article.publication)
    client.force_login(subscriber)
    url = reverse("share_article", kwargs={"publication": "almanac", "slug": article.slug})
    data = {"to": "friend@example.com", "sender_name": "Sub", "sender_email": "sub@example.com"}
    assert client.post(url, {**data, "gift": gift}).status_code == 302
    (message,) = mail.outbox
    assert_no_needle(message.subject, "the share email's subject")
    assert_no_needle(message.body, "the share email's text")
    assert_no_needle(message.alternatives[0].content, "the share email's HTML")


def test_reply_email_does_not_quote_the_article_to_a_reader_who_may_not_read_it(client, gated):
    article = gated[Article.Access.SUBSCRIBERS]
    lapsed = make_user("lapsed@example.com")
    parent = make_comment(article, lapsed, notify_replies=True)
    client.force_login(article.comments.first().user)
    client.post(
        f"/comments/articles/{article.pk}/", {"body": f"Quote: {HIDDEN}", "parent": parent.pk}
    )
    [message] = mail.outbox
    assert_no_needle(message.body, "the reply email's text")
    assert_no_needle(message.alternatives[0][0], "the reply email's HTML")


def test_own_comment_pages_give_nothing_away_to_an_author_who_lost_access(client, gated):
    article = gated[Article.Access.SUBSCRIBERS]
    lapsed = make_user("lapsed@example.com")
    comment = make_comment(article, lapsed, body=f"Quote: {HIDDEN}", created_at=timezone.now())
    client.force_login(lapsed)
    for action in ("edit", "delete"):
        response = client.get(f"/comments/{comment.pk}/{action}/")
        assert_no_needle(response.content.decode(), f"the {action} page of one's own comment")


# Search ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "access", "publish_in", "whole"),
    [
        (Article.Status.PUBLISHED, Article.Access.FREE, -1, True),
        (Article.Status.PUBLISHED, Article.Access.FREE, +1, True),  # scheduled: whole once live
        (Article.Status.DRAFT, Article.Access.FREE, -1, False),
        (Article.Status.PUBLISHED, Article.Access.REGISTERED, -1, False),
        (Article.Status.PUBLISHED, Article.Access.SUBSCRIBERS, -1, False),
    ],
)
def test_search_indexes_past_the_teaser_only_what_anyone_may_read(
    status, access, publish_in, whole
):
    article = make_article(
        status=status, access=access, publish_at=timezone.now() + timedelta(days=publish_in)
    )
    article.refresh_from_db()
    assert anonymous_may_read_whole(article) is whole
    assert (HIDDEN in article.search_text) is whole
    assert "open paragraph everyone may read" in article.search_text


def found_by(words):
    """The primary keys of the articles a search for `words` finds (its first thousand)."""
    return {article.pk for article in search(words, now=timezone.now())[:1000]}


@pytest.mark.parametrize("access", [Article.Access.SUBSCRIBERS, Article.Access.REGISTERED])
@pytest.mark.parametrize("words", HIDDEN_WORDS)
def test_searching_for_hidden_words_finds_nothing_for_anyone(client, gated, access, words):
    article = gated[access]
    assert article.pk not in found_by(words)
    for who, user in visitors(article).items():
        client.logout()
        if user:
            client.force_login(user)
        page = client.get("/search/", {"q": words}).content.decode()
        assert "0 results" in page, f"{who} found a gated article by its hidden words"
        assert article.get_absolute_url() not in page.split("</form>", 2)[-1]


def test_search_snippet_of_a_gated_article_quotes_only_its_teaser(client, gated):
    page = client.get("/search/", {"q": "paragraph"}).content.decode()
    assert "2 results" in page
    assert "<mark>paragraph</mark>" in page
    assert_no_needle(page, "search snippets")


def test_an_article_made_subscribers_only_drops_its_hidden_words_from_search(client):
    article = make_article(access=Article.Access.FREE)
    assert article.pk in found_by("hedgehog")
    article.access = Article.Access.SUBSCRIBERS
    article.save()
    assert article.pk not in found_by("hedgehog")


def test_an_index_gone_stale_hides_an_article_rather_than_give_it_away(client):
    article = make_article(access=Article.Access.FREE, title="Hedgerows")
    Article.objects.filter(pk=article.pk).update(access=Article.Access.SUBSCRIBERS)  # no save
    for words in ["hedgehog", "Hedgerows", "paragraph"]:
        page = client.get("/search/", {"q": words}).content.decode()
        assert "0 results" in page
        assert_no_needle(page, "search over a stale index")
    call_command("update_search_index", stdout=StringIO())
    assert "1 result" in client.get("/search/", {"q": "Hedgerows"}).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's")
def test_stored_search_vector_holds_no_hidden_word(gated):
    for article in Article.objects.filter(pk__in=[a.pk for a in gated.values()]):
        assert "hedgehog" not in article.search_vector
        assert "plank" not in article.search_vector
        assert "fenc" in article.search_vector


# Private feeds -----------------------------------------------------------------------------------


def private_feed_entry(client, user, article, fmt="rss"):
    """Everything the private feed of `user` says about `article`."""
    token, _ = FeedToken.objects.get_or_create(user=user)
    response = client.get(f"/feeds/private/{token.key}/{fmt}/")
    assert response.status_code == 200
    url = f"https://magazine.example{article.get_absolute_url()}"
    return str(next(e for e in feedparser.parse(response.content).entries if e.link == url))


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("access", [Article.Access.SUBSCRIBERS, Article.Access.REGISTERED])
def test_private_feed_of_a_reader_without_access_gives_nothing_away(client, gated, access, fmt):
    article = gated[access]
    for who, user in visitors(article).items():
        if user:
            entry = private_feed_entry(client, user, article, fmt)
            assert_no_needle(entry, f"the private feed of the {who}")


def test_private_feed_gives_nothing_away_once_the_subscription_is_cancelled(client, gated):
    article, subscriber = gated[Article.Access.SUBSCRIBERS], make_user()
    subscription = subscribe(subscriber, article.publication)
    assert HIDDEN in private_feed_entry(client, subscriber, article)
    cancel(subscription=subscription)
    entry = private_feed_entry(client, subscriber, article)
    assert_no_needle(entry, "a cancelled subscriber's private feed")


def test_private_feed_gives_nothing_away_once_the_subscription_lapses(client, gated, settings):
    article, subscriber = gated[Article.Access.SUBSCRIBERS], make_user()
    subscribe(subscriber, article.publication, days=10)
    lapsed = timezone.now() + timedelta(days=10 + settings.PAYWALL_GRACE_DAYS, seconds=1)
    with time_machine.travel(lapsed):
        entry = private_feed_entry(client, subscriber, article)
    assert_no_needle(entry, "a lapsed subscriber's private feed")


def test_hidden_text_appears_on_no_surface_past_the_free_allowance(client, gated):
    """With sampling on, a visitor and a reader who have used up their free articles meet the
    wall on every surface — and no surface other than the article page ever samples."""
    article = gated[Article.Access.SUBSCRIBERS]
    publication = article.publication
    type(publication).objects.filter(pk=publication.pk).update(
        free_articles_anonymous=1, free_articles_registered=2
    )
    fillers = [
        make_article(section=article.section, access=Article.Access.SUBSCRIBERS, body="Filler.")
        for _ in range(2)
    ]
    for who, user in visitors(article).items():
        client.logout()
        client.cookies.clear()
        if user:
            client.force_login(user)
        for filler in fillers:
            client.get(filler.get_absolute_url())
        for surface, url in surfaces(article).items():
            response = client.get(url, follow=True)
            assert_no_needle(response.content.decode(), f"{surface} for {who} past the allowance")
