"""A subscriber meets the paywall, logs in from it and reads on; remember-me in Chromium."""

import time

import pytest
from playwright.sync_api import expect

from magazine.models import Article
from tests.factories import HIDDEN, make_article, make_user, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"
THIRTY_DAYS = 30 * 24 * 60 * 60


@pytest.fixture
def article():
    article = make_article(access=Article.Access.SUBSCRIBERS)
    subscribe(make_user("sub@example.com", password=PASSWORD), article.publication)
    return article


def session_cookie(context):
    return next(c for c in context.cookies() if c["name"] == "sessionid")


def log_in_from_the_paywall(page, password, remember):
    box = page.locator("#paywall-login")
    box.get_by_label("Email address").fill("sub@example.com")
    box.get_by_label("Password").fill(password)
    if remember:
        box.get_by_label("Remember me").check()
    box.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("remember", [False, True])
def test_subscriber_logs_in_from_the_paywall_and_reads_the_whole_article(
    page, context, site, article, remember
):
    page.goto(site + article.get_absolute_url())
    expect(page.locator(".paywall")).to_contain_text("You are trying to access subscribers-only")
    assert HIDDEN not in page.content()
    assert not page.get_by_label("Remember me").is_checked()
    expect(page.locator("#paywall-login")).to_contain_text(
        "This setting should only be used on your home or work computer."
    )

    log_in_from_the_paywall(page, PASSWORD, remember)

    page.wait_for_url(f"**{article.get_absolute_url()}")
    expect(page.locator(".paywalled-content")).to_contain_text(HIDDEN)
    assert page.locator("#paywall").count() == 0
    cookie = session_cookie(context)
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    if remember:
        assert abs(cookie["expires"] - (time.time() + THIRTY_DAYS)) < 120
    else:
        assert cookie["expires"] == -1  # a session cookie: gone when the browser closes


def test_wrong_password_keeps_the_reader_on_the_article_with_the_error(page, site, article):
    page.goto(site + article.get_absolute_url())
    log_in_from_the_paywall(page, "not the password", remember=False)
    page.wait_for_url(f"**{article.get_absolute_url()}#paywall")
    expect(page.locator("#paywall-login [role=alert]")).to_contain_text("not correct")
    expect(page.locator("#paywall-login").get_by_label("Email address")).to_have_value(
        "sub@example.com"
    )
    log_in_from_the_paywall(page, PASSWORD, remember=False)
    expect(page.locator(".paywalled-content")).to_contain_text(HIDDEN)
