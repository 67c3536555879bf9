"""WCAG 2.2 AA and valid HTML on every public page type, with the demo content loaded.

Each page in PAGES is visited once in Chromium: axe-core runs on the rendered page, and the HTML
the server sent is kept for the Nu HTML Checker, which then checks all pages in one Java run.
The demo content is loaded once for the whole table (loading it per page would take longer than
all the checks together); each page then has its own test for each checker.

A new page type is one more line in PAGES.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.management import call_command
from django.test.utils import modify_settings, override_settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caching.local import clear_every_cache
from demo.accounts import DEMO_PASSWORD
from magazine.models import Article, Author, Issue, Section, Tag
from newsletters.emails import unsubscribe_token
from newsletters.models import Cadence, Delivery, Newsletter, Send, Signup
from newsletters.signups import CONFIRM_SALT
from tests.e2e import checkers
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

PUBLICATION = "homestead"  # a demo publication; its pages stand for every publication's
SUBSCRIBER = "subscriber@example.com"  # subscribes to PUBLICATION
READER = "reader@example.com"  # no subscription
PAGE_SIZE = 4  # small enough that the publication's home has a page 2
NEWSLETTER = "homestead-new-articles"  # a demo newsletter of PUBLICATION
DIGEST = "good-health-letter"  # a demo newsletter sent as a weekly digest
SAMPLED = "backyard-poultry"  # lets visitors read two subscribers-only articles a month


def url(name, **kwargs):
    return reverse(name, kwargs={"publication": PUBLICATION, **kwargs})


def article(access):
    articles = Article.objects.published().filter(publication__slug=PUBLICATION, access=access)
    return articles.latest("publish_at").get_absolute_url()


def sampled(n):
    """The `n`th subscribers-only article of the demo's publication that lets visitors sample
    two a month: the anonymous visitor's first two are read whole, the third meets the wall."""
    articles = Article.objects.published().filter(
        publication__slug=SAMPLED, access="subscribers", exempt_from_sampling=False
    )
    return articles.order_by("-publish_at")[n].get_absolute_url()


def section():
    return Section.objects.filter(publication__slug=PUBLICATION).first().get_absolute_url()


def author():
    return url(
        "author", author=Author.objects.filter(articles__publication__slug=PUBLICATION)[0].slug
    )


def tag():
    return url("tag", tag=Tag.objects.filter(articles__publication__slug=PUBLICATION)[0].slug)


def issue():
    return Issue.objects.filter(publication__slug=PUBLICATION).latest("cover_date")


def newsletter_unsubscribe():
    """The page an email's unsubscribe link opens (a demo address-only signup's)."""
    signup = Signup.objects.get(newsletter__slug=NEWSLETTER, user=None)
    return reverse("newsletter_unsubscribe", kwargs={"token": unsubscribe_token(signup.pk)})


def newsletter_confirm():
    """The page a confirmation email's link opens, for an address that signed up just now."""
    signup, _ = Signup.objects.get_or_create(
        newsletter=Newsletter.objects.get(slug=NEWSLETTER), user=None, email="new@example.com"
    )
    token = signing.dumps([signup.pk], salt=CONFIRM_SALT, compress=True)
    return reverse("newsletter_confirm", kwargs={"token": token})


def sent_digest():
    """A weekly digest of DIGEST that went out (the demo sends none by itself)."""
    newsletter = Newsletter.objects.get(slug=DIGEST)
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    send, created = Send.objects.get_or_create(
        newsletter=newsletter,
        cadence=Cadence.WEEKLY,
        defaults={
            "period_start": end - timedelta(days=7),
            "period_end": end,
            "subject": f"{newsletter.name}: the week to {end:%-d %B}",
        },
    )
    if created:
        articles = Article.objects.published().filter(publication=newsletter.publication)
        send.articles.set(articles.order_by("-publish_at")[:3])
        signup = newsletter.signups.receiving().first()
        Delivery.objects.create(send=send, signup=signup, state=Delivery.State.SENT)
    return send


def newsletter_archive():
    return sent_digest().newsletter.get_absolute_url()


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[], str]  # called once the demo content is loaded
    status: int = 200
    shows: str = "main h1"  # a CSS selector proving the page is the one meant
    user: str = ""  # a demo account to visit as; anonymous when empty


PAGES = [
    Page("front", lambda: "/"),
    Page("publication", lambda: url("publication"), shows=".pagination"),
    Page("publication-page-2", lambda: url("publication") + "?page=2", shows="[rel=prev]"),
    Page("section", section),
    Page("author", author),
    Page("tag", tag),
    Page("issue-archive", lambda: url("issue_archive")),
    Page("issue-year", lambda: url("issue_year", year=issue().cover_date.year)),
    Page("issue", lambda: issue().get_absolute_url()),
    Page("free-article", lambda: article("free"), shows=".paywalled-content"),
    Page("subscribers-article", lambda: article("subscribers"), shows=".paywall"),
    Page("not-found", lambda: "/no-such-publication/", status=404),
    Page("login", lambda: reverse("account_login"), shows="form"),
    Page("signup", lambda: reverse("account_signup"), shows="form"),
    Page("password-reset", lambda: reverse("account_reset_password"), shows="form"),
    Page("login-by-code", lambda: reverse("account_request_login_code"), shows="form"),
    Page("my-account", lambda: reverse("account_overview"), shows=".panel", user=SUBSCRIBER),
    Page("email", lambda: reverse("account_email"), shows="form", user=SUBSCRIBER),
    Page("password", lambda: reverse("account_change_password"), shows="form", user=SUBSCRIBER),
    Page("devices", lambda: reverse("usersessions_list"), shows="table", user=SUBSCRIBER),
    Page(
        "subscribed-article",
        lambda: article("subscribers"),
        shows=".paywalled-content",
        user=SUBSCRIBER,
    ),
    Page("subscribe-prompt", lambda: article("subscribers"), shows=".paywall", user=READER),
    # Sampling, in this order in the anonymous visitor's browser: two free articles, then the wall.
    Page("sampled-article", lambda: sampled(0), shows=".sampling-notice"),
    Page("sampled-article-last", lambda: sampled(1), shows=".sampling-notice"),
    Page("sampling-register-wall", lambda: sampled(2), shows=".paywall #paywall-login"),
    Page("subscribe", lambda: url("subscribe"), shows=".offer-grid"),
    Page(
        "subscribe-as-subscriber", lambda: url("subscribe"), shows=".offer-covered", user=SUBSCRIBER
    ),
    Page("gift", lambda: reverse("gift"), shows="#gift-form", user=READER),
    Page("print-link", lambda: reverse("print_link"), shows="#link-print", user=READER),
    Page(
        "issue-as-subscriber",
        lambda: issue().get_absolute_url(),
        shows=".issue-edition a",
        user=SUBSCRIBER,
    ),
    Page("issue-buy-alone", lambda: issue().get_absolute_url(), shows="#buy-issue", user=READER),
    Page("gift-redeem", lambda: reverse("gift_redeem"), shows="#redeem-form", user=READER),
    # The newsletters' pages; the signup box is on the publication's and articles' pages above,
    # and the page it answers with (a POST) is checked in test_newsletters.py.
    Page(
        "newsletter-preferences",
        lambda: reverse("newsletter_preferences"),
        shows="#newsletter-preferences .newsletter-cadence select",
        user=READER,
    ),
    Page("newsletter-unsubscribe", newsletter_unsubscribe, shows="#unsubscribe [name=scope]"),
    Page(
        "newsletter-invalid-link",
        lambda: reverse("newsletter_unsubscribe", kwargs={"token": "1:forged"}),
        status=400,
    ),
    Page("newsletter-confirm", newsletter_confirm, shows="main form button"),
    Page("newsletter-archive", newsletter_archive, shows=".newsletter-archive a"),
    Page("newsletter-digest", lambda: sent_digest().get_absolute_url(), shows=".digest-item"),
]


@dataclass
class Visit:
    url: str = ""
    status: int = 0
    shows: bool = False
    html: str = ""
    axe_violations: list | None = None
    error: str = ""


@pytest.fixture(scope="module")
def visits(django_db_setup, django_db_blocker, live_server, browser, tmp_path_factory):
    """Every page of PAGES, visited once with the demo content loaded: {name: Visit}."""
    settings = override_settings(
        MAGAZINE_PAGE_SIZE=PAGE_SIZE,
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        EDITIONS_ROOT=tmp_path_factory.mktemp("editions"),
        BILLING_PROVIDER="test",  # pages that sell show their buttons
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    host = modify_settings(ALLOWED_HOSTS={"append": urlparse(live_server.url).hostname})
    with django_db_blocker.unblock(), settings, host:
        cache.clear()
        clear_every_cache()
        contexts = {}
        try:
            call_command("seed_demo", stdout=io.StringIO())
            for user in {page.user for page in PAGES}:
                contexts[user] = visitor_context(browser, live_server.url, user)
            # Each page in its own tab, axe running in all of them side by side.
            tabs = {page.name: contexts[page.user].new_page() for page in PAGES}
            results = {
                page.name: open_page(tabs[page.name], live_server.url, page) for page in PAGES
            }
            for name, result in results.items():
                finish_page(tabs[name], result)
            return results
        finally:
            for context in contexts.values():
                context.close()
            call_command("flush", interactive=False, verbosity=0)  # as a transactional test does
            cache.clear()
            clear_every_cache()


def visitor_context(browser, site, user):
    """A browser context, logged in as the demo account `user` unless it is empty."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    if not checkers.axe_missing():
        checkers.load_axe(context)
    if user:
        tab = context.new_page()
        tab.goto(site + reverse("account_login"))
        tab.locator("#login-form").get_by_label("Email address").fill(user)
        tab.locator("#login-form").get_by_label("Password").fill(DEMO_PASSWORD)
        tab.locator("#login-form").get_by_role("button", name="Log in").click()
        tab.wait_for_url(site + "/")
        tab.close()
    return context


def open_page(tab, site, page):
    result = Visit()
    try:
        result.url = page.url()
        response = tab.goto(site + result.url)
        result.status = response.status
        result.html = response.text()
        result.shows = tab.locator(page.shows).count() > 0
        if not checkers.axe_missing():
            checkers.start_axe(tab)
    except Exception as error:  # reported by the page's own tests
        result.error = f"{type(error).__name__}: {error}"
    return result


def finish_page(tab, result):
    try:
        if not result.error and not checkers.axe_missing():
            result.axe_violations = checkers.axe_violations(tab)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"


def visited(visits, page):
    result = visits[page.name]
    assert not result.error, f"{page.name} could not be visited: {result.error}"
    assert result.status == page.status, f"{result.url} answered {result.status}"
    assert result.shows, f"{result.url} does not show {page.shows!r}"
    return result


@pytest.fixture(scope="module")
def html_problems(visits):
    """The Nu HTML Checker's errors for every visited page, in one Java run: {name: [message]}."""
    if reason := checkers.vnu_missing():
        pytest.skip(reason)
    return checkers.check_html({name: v.html for name, v in visits.items() if v.html})


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_page_has_no_serious_accessibility_problems(visits, page):
    if reason := checkers.axe_missing():
        pytest.skip(reason)
    result = visited(visits, page)
    violations = result.axe_violations
    assert not violations, f"axe-core on {result.url}:\n{checkers.describe_violations(violations)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_page_is_valid_html(html_problems, visits, page):
    result = visited(visits, page)
    problems = html_problems[page.name]
    assert not problems, (
        f"Nu HTML Checker on {result.url}:\n{checkers.describe_html_messages(page.name, problems)}"
    )


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, site):
    article = make_article(title="A Long Read")
    page.goto(site + article.get_absolute_url())

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is in the content, past the header's links
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
