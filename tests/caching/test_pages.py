"""Cached pages and fragments never carry one visitor's page to another, and never outlive a
change readers should see."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from comments.writing import approve
from magazine.models import Article
from paywall.gifts import token_for
from paywall.subscriptions import cancel
from tests.factories import (
    HIDDEN,
    PASSWORD,
    make_article,
    make_comment,
    make_gift_link,
    make_user,
    subscribe,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def article():
    return make_article(access=Article.Access.SUBSCRIBERS)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def log_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    client.get("/")  # show (and so clear) the "signed in" message


def test_anonymous_page_rendered_after_a_subscribers_holds_no_hidden_text(
    client, article, django_assert_max_num_queries
):
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    log_in(client, subscriber)
    assert HIDDEN in page(client, article.get_absolute_url())
    with django_assert_max_num_queries(0):  # the shared rendering, too
        assert HIDDEN in page(client, article.get_absolute_url())
    client.cookies.clear()
    assert HIDDEN not in page(client, article.get_absolute_url())


def test_a_subscriber_never_gets_the_anonymous_rendering(client, article):
    url = article.get_absolute_url()
    assert HIDDEN not in page(client, url)  # anonymous: the teaser, now cached
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    log_in(client, subscriber)
    assert HIDDEN in page(client, url)


def test_a_reader_without_access_never_gets_a_subscribers_rendering(client, article):
    subscriber, reader = make_user(), make_user()
    subscribe(subscriber, article.publication)
    log_in(client, subscriber)
    assert HIDDEN in page(client, article.get_absolute_url())
    client.post("/accounts/logout/")
    log_in(client, reader)
    html = page(client, article.get_absolute_url())
    assert HIDDEN not in html
    assert "Subscribe to" in html


def test_cancelling_a_subscription_closes_the_article_at_once(client, article):
    subscriber = make_user()
    subscription = subscribe(subscriber, article.publication)
    log_in(client, subscriber)
    assert HIDDEN in page(client, article.get_absolute_url())
    cancel(subscription=subscription)
    assert HIDDEN not in page(client, article.get_absolute_url())


def test_a_subscription_given_to_someone_else_closes_the_article_to_its_old_owner(client, article):
    subscriber = make_user()
    subscription = subscribe(subscriber, article.publication)
    log_in(client, subscriber)
    assert HIDDEN in page(client, article.get_absolute_url())
    subscription.user = make_user()  # staff correct who the subscription belongs to
    subscription.save()
    assert HIDDEN not in page(client, article.get_absolute_url())


def test_a_gift_rendering_is_never_served_without_the_gift(client, article):
    link = make_gift_link(article)
    gifted = page(client, f"{article.get_absolute_url()}?gift={token_for(link)}")
    assert HIDDEN in gifted
    assert HIDDEN not in page(client, article.get_absolute_url())


def test_every_visitor_gets_their_own_form_token_from_a_cached_page(client, article):
    first = TOKEN.search(page(client, article.get_absolute_url())).group(1)
    client.cookies.clear()
    response = client.get(article.get_absolute_url())
    second = TOKEN.search(response.content.decode()).group(1)
    assert first != second
    assert "csrftoken" in response.cookies
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_the_login_form_of_a_cached_page_works(article):
    warm = Client()
    warm.get(article.get_absolute_url())
    reader = Client(enforce_csrf_checks=True)
    html = page(reader, article.get_absolute_url())
    subscriber = make_user("sub@example.com")
    subscribe(subscriber, article.publication)
    response = reader.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": TOKEN.search(html).group(1),
            "login": "sub@example.com",
            "password": PASSWORD,
            "next": article.get_absolute_url(),
        },
    )
    assert response.status_code == 302
    assert HIDDEN in page(reader, article.get_absolute_url())


def test_a_visitor_with_a_message_waiting_sees_it_and_nobody_else_does(client, article):
    url = article.get_absolute_url()
    page(client, url)  # the anonymous rendering, cached
    log_in(client, make_user())
    client.post("/accounts/logout/")  # anonymous again, with "You have signed out." waiting
    assert "You have signed out." in page(client, url)
    assert "You have signed out." not in page(Client(), url)


def test_an_edit_shows_at_once_to_anonymous_visitors(client):
    article = make_article(title="Old Title")
    assert "Old Title" in page(client, article.get_absolute_url())
    article.title = "New Title"
    article.save()
    assert "New Title" in page(client, article.get_absolute_url())
    assert "New Title" in page(client, article.publication.get_absolute_url())


def test_closing_a_free_article_closes_it_at_once(client):
    article = make_article(access=Article.Access.FREE)
    assert HIDDEN in page(client, article.get_absolute_url())
    article.access = Article.Access.SUBSCRIBERS
    article.save()
    assert HIDDEN not in page(client, article.get_absolute_url())


def test_an_approved_comment_shows_at_once(client):
    article = make_article()
    comment = make_comment(article, body="Waiting for a moderator.", status=Comment.Status.PENDING)
    assert "Waiting for a moderator." not in page(client, article.get_absolute_url())
    approve(Comment.objects.filter(pk=comment.pk), now=timezone.now())
    assert "Waiting for a moderator." in page(client, article.get_absolute_url())


def test_fragments_of_one_article_never_show_on_another(client):
    first = make_article(title="First Article")
    second = make_article(section=first.section, title="Second Article")
    page(client, first.get_absolute_url())
    html = page(client, second.get_absolute_url())
    assert '<h1 id="article-title">Second Article</h1>' in html


def test_a_deactivated_reader_is_logged_out_at_once(client):
    reader = make_user()
    log_in(client, reader)
    assert client.get("/accounts/").status_code == 200
    reader.is_active = False
    reader.save()
    assert client.get("/accounts/").status_code == 302


def test_a_scheduled_article_appears_when_its_time_comes(client):
    article = make_article(title="Due Soon", publish_at=timezone.now() + timedelta(minutes=5))
    assert "Due Soon" not in page(client, article.publication.get_absolute_url())
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=61)):
        assert "Due Soon" in page(client, article.publication.get_absolute_url())


def test_a_cached_page_keeps_the_headers_its_view_set(client, django_assert_num_queries):
    first = client.get("/search/?q=goats")
    with django_assert_num_queries(0):  # from the cache
        again = client.get("/search/?q=goats")
    assert first["X-Robots-Tag"] == again["X-Robots-Tag"] == "noindex"
    assert again["Content-Type"] == first["Content-Type"]
