"""What each kind of visitor sees of an article, and logging in from the paywall."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from magazine.models import Article
from tests.factories import (
    HIDDEN,
    make_article,
    make_publication,
    make_section,
    make_user,
    subscribe,
)

pytestmark = pytest.mark.django_db

ANONYMOUS_MESSAGE = (
    "You are trying to access subscribers-only content. "
    "If you are a subscriber, use the form below to log in."
)
REMEMBER_HELP = "This setting should only be used on your home or work computer."
PASSWORD = "correct horse battery"


@pytest.fixture
def article():
    publication = make_publication(
        name="Homestead Almanac",
        paywall_pitch="Subscribers will have unlimited access to every back issue.",
        subscribe_url="https://example.com/subscribe",
    )
    return make_article(section=make_section(publication), access=Article.Access.SUBSCRIBERS)


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitor_sees_teaser_paywall_and_inline_login(client, article):
    html = page(client, article)
    assert "The open paragraph everyone may read." in html
    assert HIDDEN not in html
    assert "After the break" not in html
    assert ANONYMOUS_MESSAGE in html
    assert "Subscribers will have unlimited access to every back issue." in html
    assert '<form id="paywall-login"' in html
    assert 'action="/accounts/login/"' in html
    for field in ['name="login"', 'name="password"', 'name="remember"']:
        assert field in html
    assert f'name="next" value="{article.get_absolute_url()}"' in html
    assert "Remember me" in html
    assert REMEMBER_HELP in html
    checkbox = re.search(r'<input type="checkbox" name="remember"[^>]*>', html).group(0)
    assert "checked" not in checkbox
    assert 'aria-describedby="paywall-field-remember_helptext"' in checkbox
    assert "https://example.com/subscribe" in html


def test_registered_article_asks_only_for_a_free_account(client):
    article = make_article(access=Article.Access.REGISTERED)
    html = page(client, article)
    assert HIDDEN not in html
    assert "Keep reading with a free account" in html
    assert "Create a free account" in html
    assert ANONYMOUS_MESSAGE not in html


def test_registered_article_is_whole_for_any_logged_in_reader(client):
    article = make_article(access=Article.Access.REGISTERED)
    client.force_login(make_user())
    assert HIDDEN in page(client, article)


def test_reader_without_subscription_gets_a_subscribe_prompt_not_a_login_form(client, article):
    client.force_login(make_user("rosa@example.com"))
    html = page(client, article)
    assert HIDDEN not in html
    assert "Subscribe to Homestead Almanac to keep reading" in html
    assert "rosa@example.com" in html
    assert 'id="paywall-login"' not in html


def test_lapsed_subscriber_is_told_the_subscription_ended(client, article):
    user = make_user()
    now = timezone.now()
    subscribe(
        user,
        article.publication,
        starts_at=now - timedelta(days=400),
        ends_at=now - timedelta(days=30),
    )
    client.force_login(user)
    html = page(client, article)
    assert HIDDEN not in html
    assert "Your subscription to Homestead Almanac has ended" in html


def test_subscriber_reads_the_whole_article(client, article):
    user = make_user()
    subscribe(user, article.publication)
    client.force_login(user)
    html = page(client, article)
    assert HIDDEN in html
    assert '<div class="paywalled-content">' in html
    assert 'id="paywall"' not in html


def test_subscriber_of_another_publication_does_not(client, article):
    user = make_user()
    subscribe(user, make_publication())
    client.force_login(user)
    assert HIDDEN not in page(client, article)


def test_staff_read_everything(client, article):
    client.force_login(make_user(is_staff=True))
    assert HIDDEN in page(client, article)


def test_logging_in_through_the_paywall_returns_to_the_whole_article(client, article):
    user = make_user("sub@example.com", password=PASSWORD)
    subscribe(user, article.publication)
    response = client.post(
        "/accounts/login/",
        {
            "login": "sub@example.com",
            "password": PASSWORD,
            "next": article.get_absolute_url(),
            "paywall": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert HIDDEN in page(client, article)


def test_wrong_password_stays_on_the_article_with_the_error_and_the_typed_email(client, article):
    make_user("sub@example.com", password=PASSWORD)
    response = client.post(
        "/accounts/login/",
        {
            "login": "sub@example.com",
            "password": "wrong",
            "next": article.get_absolute_url(),
            "paywall": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#paywall"
    html = page(client, article)
    assert "The email address and/or password you specified are not correct." in html
    assert 'value="sub@example.com"' in html
    assert HIDDEN not in html
    assert "not correct" not in page(client, article), "the error is shown once"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_accepts_only_this_sites_urls(client, target):
    make_user("sub@example.com", password=PASSWORD)
    response = client.post(
        "/accounts/login/", {"login": "sub@example.com", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript")


def test_failed_paywall_login_with_a_foreign_next_does_not_redirect_away(client):
    make_user("sub@example.com", password=PASSWORD)
    response = client.post(
        "/accounts/login/",
        {
            "login": "sub@example.com",
            "password": "wrong",
            "next": "https://evil.example/",
            "paywall": "1",
        },
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_pages_that_depend_on_the_visitor_are_private(client, article):
    response = client.get(article.get_absolute_url())
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_claiming_to_be_a_search_engine_changes_nothing(client, article):
    for agent in ["Googlebot/2.1 (+http://www.google.com/bot.html)", "bingbot/2.0"]:
        html = client.get(article.get_absolute_url(), HTTP_USER_AGENT=agent).content.decode()
        assert HIDDEN not in html
        assert ANONYMOUS_MESSAGE in html
