"""Readers pay with the test provider in the browser: subscribing from the paywall, cancelling
and resuming from My account, a declined card, and a gift that arrives by real SMTP."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from billing.checkout import start_checkout
from billing.models import GiftSubscription, PaidSubscription, Price, SingleIssuePrice
from billing.providers.test import TestProvider
from magazine.models import Article
from paywall.models import EditionAccess, Subscription
from paywall.subscriptions import plan_for_publication
from tests.factories import (
    HIDDEN,
    PASSWORD,
    make_article,
    make_issue,
    make_publication,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

CODE = re.compile(r"Your gift code: ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})")


@pytest.fixture(autouse=True)
def _test_provider(settings, live_server):
    """The test provider, and every absolute address the site writes on the live server."""
    settings.BILLING_PROVIDER = "test"
    settings.SITE_URL = live_server.url


@pytest.fixture
def almanac():
    return make_publication(name="Homestead Almanac", slug="almanac")


@pytest.fixture
def yearly(almanac):
    return Price.objects.create(plan=plan_for_publication(almanac), interval="year", amount=3200)


@pytest.fixture
def monthly(almanac):
    return Price.objects.create(plan=plan_for_publication(almanac), interval="month", amount=400)


@pytest.fixture
def article(almanac, yearly, monthly):
    yesterday = timezone.now() - timedelta(days=1)  # published whatever hour a test pins
    return make_article(
        almanac, access=Article.Access.SUBSCRIBERS, title="Seed saving", publish_at=yesterday
    )


@pytest.fixture
def reader():
    return make_user("rosa@example.com", verified=True, display_name="Rosa")


def log_in(page, email="rosa@example.com"):
    """Fill in the login page the site has sent the browser to."""
    form = page.locator("#login-form")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()


def log_in_at(page, site, path, email="rosa@example.com"):
    page.goto(f"{site}/accounts/login/?next={path}")
    log_in(page, email)
    page.wait_for_url(f"**{path}")


def pay(page, outcome="succeed"):
    """Press a button of the test provider's checkout page."""
    expect(page.locator(".test-banner")).to_contain_text("Test payment — no money moves")
    name = re.compile("^Pay ") if outcome == "succeed" else re.compile("^Decline")
    page.locator("#test-checkout").get_by_role("button", name=name).click()


def billing(page, site):
    page.goto(f"{site}/accounts/#billing")
    return page.locator("#billing")


def test_a_visitor_subscribes_from_the_paywall_and_reads_the_whole_article(
    page, site, article, reader
):
    page.goto(site + article.get_absolute_url())
    assert HIDDEN not in page.content()
    page.locator("#paywall").get_by_role("link", name="Subscribe to Homestead Almanac").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Subscribe to Homestead Almanac")
    page.get_by_role("button", name="$32 a year").click()

    page.wait_for_url("**/accounts/login/**")
    log_in(page)
    choice = page.locator("#choice")
    expect(choice).to_contain_text("Your choice: Homestead Almanac subscription, $32 a year")
    choice.get_by_role("button", name="Continue to payment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Homestead Almanac subscription")
    expect(page.locator("#test-checkout")).to_contain_text("Visa ending 4242")
    pay(page)

    page.wait_for_url("**/billing/return/?attempt=*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, and thank you")
    page.locator("#continue-reading").click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    expect(page.locator(".paywalled-content")).to_contain_text(HIDDEN)
    assert page.locator("#paywall").count() == 0
    paid = PaidSubscription.objects.get()
    assert (paid.customer.user, paid.price.interval, paid.status) == (reader, "year", "active")


@pytest.fixture
def subscriber(reader, yearly):
    """`reader`, who has paid for a year of the almanac at the test provider's checkout."""
    provider = TestProvider()
    attempt = start_checkout(provider, user=reader, price=yearly)
    provider.pay(attempt.external_id, succeed=True)  # its events are delivered on commit
    return PaidSubscription.objects.get(customer__user=reader)


def test_a_subscriber_cancels_with_a_reason_reads_on_and_resumes(page, site, article, subscriber):
    until = date_format(subscriber.current_period_end, "j F Y")
    log_in_at(page, site, "/accounts/")
    section = billing(page, site)
    expect(section).to_contain_text(f"Renews on {until} at $32 a year.")
    section.get_by_role("link", name="Cancel subscription").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel your subscription")
    form = page.locator("#cancel-subscription")
    form.get_by_label("Why are you leaving?").select_option(label="It costs too much")
    form.get_by_label("Anything you would like to tell us").fill("Back after the harvest.")
    form.get_by_role("button", name="Cancel my subscription").click()

    expect(page.get_by_role("status")).to_contain_text(f"You keep reading until {until}")
    expect(page.locator("#billing")).to_contain_text("Cancelled: it will not renew")
    subscriber.refresh_from_db()
    assert subscriber.cancel_at_period_end
    assert subscriber.cancel_reason == "Too expensive: Back after the harvest."

    page.goto(site + article.get_absolute_url())
    expect(page.locator(".paywalled-content")).to_contain_text(HIDDEN)

    section = billing(page, site)
    section.get_by_role("button", name="Resume subscription").click()
    expect(page.get_by_role("status")).to_contain_text(f"renews on {until}")
    expect(page.locator("#billing")).to_contain_text(f"Renews on {until}")
    receipts = page.locator("#billing .billing-payments")
    expect(receipts.get_by_role("row").nth(1)).to_contain_text("$32")
    expect(receipts.get_by_role("row").nth(1)).to_contain_text("Paid")
    subscriber.refresh_from_db()
    assert not subscriber.cancel_at_period_end


def test_a_declined_card_subscribes_no_one_and_paying_afterwards_works(
    page, context, site, article, reader
):
    log_in_at(page, site, "/almanac/subscribe/")
    page.get_by_role("button", name="$4 a month").click()
    pay(page, outcome="decline")

    expect(page.get_by_role("alert")).to_contain_text(
        "Your card was declined. Nothing was charged: try another card."
    )
    assert not PaidSubscription.objects.exists()
    assert not Subscription.objects.exists()
    account = context.new_page()
    expect(billing(account, site)).to_contain_text("You pay for no subscription here.")
    account.close()

    pay(page)  # on the checkout page, still open
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, and thank you")
    assert PaidSubscription.objects.get().price.interval == "month"
    page.goto(site + article.get_absolute_url())
    expect(page.locator(".paywalled-content")).to_contain_text(HIDDEN)


# A gift, emailed through a real SMTP server -----------------------------------------------------


@pytest.fixture
def mid_morning():
    """Today at 10:00: a gift for today goes out at once (before 8:00 it would wait for 8:00)."""
    moment = timezone.make_aware(datetime.combine(timezone.localdate(), time(10)))
    with time_machine.travel(moment, tick=True):
        yield moment


def buy_a_gift(page, site):
    page.goto(site + "/gift/")
    form = page.locator("#gift-form")
    form.get_by_label("Homestead Almanac subscription — a year for $32").check()
    form.get_by_label("Their email address").fill("friend@example.com")
    form.get_by_label("Their name").fill("Fern")
    form.get_by_label("Your message (optional)").fill("Happy birthday, Fern!")
    expect(form.get_by_label("Send it on")).to_have_value(timezone.localdate().isoformat())
    form.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "A year of Homestead Almanac subscription, as a gift"
    )
    pay(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your gift is ready")


def test_a_gift_is_emailed_over_smtp_redeemed_by_a_new_reader_and_shown_to_the_buyer(
    mid_morning, page, browser, site, article, reader, smtp_inbox
):
    log_in_at(page, site, "/accounts/")
    buy_a_gift(page, site)

    letter = smtp_inbox.letter_to("friend@example.com")
    assert letter["Subject"] == "Rosa has given you a year of Homestead Almanac subscription"
    text = letter.get_body(("plain",)).get_content()
    assert "Happy birthday, Fern!" in text
    code = CODE.search(text).group(1)
    link = re.search(r"Start reading: (\S+)", text).group(1)
    assert link == f"{site}/gift/redeem/?code={code}"

    friend = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = friend.new_page()
        tab.goto(link)
        tab.get_by_role("link", name="Create a free account").click()
        tab.get_by_label("Email").fill("friend@example.com")
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_label("Password (again)").fill(PASSWORD)
        tab.get_by_role("button", name="Sign up").click()

        form = tab.locator("#redeem-form")
        expect(form.get_by_label("Gift code")).to_have_value(code)
        form.get_by_role("button", name="Start my year").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text(
            "Enjoy your year of Homestead Almanac subscription"
        )
        tab.goto(site + article.get_absolute_url())
        expect(tab.locator(".paywalled-content")).to_contain_text(HIDDEN)
    finally:
        friend.close()

    gifts = billing(page, site).locator(".billing-gifts")
    expect(gifts).to_contain_text("A year of Homestead Almanac subscription for friend@example.com")
    expect(gifts).to_contain_text("redeemed on")
    assert GiftSubscription.objects.get().redeemed_by.email == "friend@example.com"


def test_a_visitor_buys_one_back_issue_and_opens_its_printed_pages(page, site, almanac, reader):
    SingleIssuePrice.objects.create(publication=almanac, amount=450)
    issue = make_issue(almanac, volume=11, number=2, cover_date=timezone.localdate().replace(day=1))
    issue.edition.save("upload.pdf", ContentFile(b"%PDF-1.4\n% printed pages\n%%EOF\n"))
    page.goto(site + issue.get_absolute_url())
    page.get_by_role("button", name="Buy this issue alone: $4.50").click()

    page.wait_for_url("**/accounts/login/**")
    log_in(page)
    page.wait_for_url(f"**{issue.get_absolute_url()}")  # back where the button is
    page.get_by_role("button", name="Buy this issue alone: $4.50").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Vol. 11, No. 2")
    pay(page)
    page.wait_for_url("**/billing/return/?attempt=*")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: the issue is yours to read"
    )
    link = page.get_by_role("link", name="Read this issue")
    response = page.request.get(site + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert EditionAccess.objects.get().user == reader
