"""A subscriber sends an article to a friend with a gift link; the friend opens it whole."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from magazine.models import Article
from tests.factories import HIDDEN, make_article, make_user, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


@pytest.fixture
def article():
    article = make_article(access=Article.Access.SUBSCRIBERS, title="Mending fences")
    user = make_user("ann@example.com", password=PASSWORD, display_name="Ann", verified=True)
    subscribe(user, article.publication)
    return article


def test_subscriber_sends_a_gift_and_the_friend_reads_the_whole_article(
    page, browser, site, article
):
    page.goto(site + article.get_absolute_url())
    box = page.locator("#paywall-login")
    box.get_by_label("Email address").fill("ann@example.com")
    box.get_by_label("Password").fill(PASSWORD)
    box.get_by_role("button", name="Log in").click()
    expect(page.locator(".paywalled-content")).to_contain_text(HIDDEN)

    page.get_by_role("link", name="Send this to a friend").click()
    form = page.locator("#share-form")
    expect(form.get_by_label("Your name")).to_have_value("Ann")
    expect(form).to_contain_text("10 gifts left this month.")
    form.get_by_label("Your friends’ email addresses").fill("bo@example.com")
    form.get_by_label("A note to your friend (optional)").fill("You'll like this, Bo.")
    form.get_by_label("Include a gift link").check()
    form.get_by_role("button", name="Send").click()

    page.wait_for_url("**/share/sent/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing")
    expect(page.get_by_role("status")).to_contain_text("is on its way to bo@example.com")

    (message,) = mail.outbox
    assert message.to == ["bo@example.com"]
    gift = re.search(r"-- Read the story at https://magazine\.example(\S+)", message.body)

    friend = browser.new_context()
    try:
        friend_page = friend.new_page()
        friend_page.goto(site + gift.group(1))
        expect(friend_page.locator(".gift-notice")).to_contain_text("Ann gave you this article.")
        expect(friend_page.locator(".paywalled-content")).to_contain_text(HIDDEN)
    finally:
        friend.close()
