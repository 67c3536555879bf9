"""The newsletters in a browser: signing up from the box under an article and confirming from the
email, a reader's choices under My account, and an unsubscribe link's page with its undo.

Every page the visitor sees on the way is checked as the pages of test_accessibility.py are
(axe-core in the browser, the Nu HTML Checker on the HTML the server sent): several of them only
answer a POST, which that table cannot visit.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from newsletters.emails import unsubscribe_token
from newsletters.models import Cadence, Pause, Signup
from tests.e2e import checkers
from tests.factories import PASSWORD, make_article, make_publication, make_user
from tests.newsletters.helpers import make_newsletter, sign_up

pytestmark = pytest.mark.django_db(transaction=True)


class PageChecks:
    """axe-core on each page as the test sees it, at once; the Nu HTML Checker on the HTML the
    server sent for each, in one run at the end. Each checker runs when it is installed."""

    def __init__(self, context):
        self.axe = checkers.axe_missing() is None
        self.documents = {}
        if self.axe:
            checkers.load_axe(context)

    def check(self, name, page, response):
        if self.axe:
            violations = checkers.run_axe(page)
            assert not violations, (
                f"axe-core on {page.url}:\n{checkers.describe_violations(violations)}"
            )
        self.documents[name] = response.text()

    def check_html(self):
        if checkers.vnu_missing() or not self.documents:
            return
        problems = {
            name: messages
            for name, messages in checkers.check_html(self.documents).items()
            if messages
        }
        assert not problems, "Nu HTML Checker:\n" + "\n".join(
            checkers.describe_html_messages(name, messages) for name, messages in problems.items()
        )


@pytest.fixture
def checks(context):
    checks = PageChecks(context)
    yield checks
    checks.check_html()


def posted(page):
    """Waits for the page a form's POST answers with (as `with posted(page) as answer:`)."""
    return page.expect_response(
        lambda r: r.request.method == "POST" and r.request.resource_type == "document"
    )


def log_in(page, site, email):
    page.goto(site + reverse("account_login"))
    form = page.locator("#login-form")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url(site + "/")


def test_a_visitor_signs_up_under_an_article_and_confirms_from_the_email(page, site, checks):
    almanac = make_publication(name="Homestead Almanac", slug="homestead")
    newsletter = make_newsletter(almanac, name="Homestead Almanac — new articles", slug="almanac")
    article = make_article(almanac, title="Building Soil You Can Trust")

    page.goto(site + article.get_absolute_url())
    box = page.get_by_role("complementary", name="Get Homestead Almanac by email")
    box.scroll_into_view_if_needed()
    expect(box).to_contain_text("Homestead Almanac — new articles")
    box.get_by_label("Your email address").fill("hen@example.com")
    with posted(page) as answer:
        box.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    expect(page.locator("main")).to_contain_text("hen@example.com")
    checks.check("check-inbox", page, answer.value)

    (message,) = mail.outbox
    assert message.to == ["hen@example.com"]
    link = re.search(r"https://magazine\.example(/newsletters/confirm/\S+/)", message.body)
    assert link, message.body
    assert not Signup.objects.get(email="hen@example.com").receiving

    response = page.goto(site + link[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    button = page.get_by_role("button", name="Yes, send it to me")
    expect(button).to_be_visible()
    checks.check("confirm", page, response)
    assert not Signup.objects.get(email="hen@example.com").receiving  # opening it is not enough

    with posted(page) as answer:
        button.click()
    assert answer.value.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("You're subscribed")
    expect(page.locator("main")).to_contain_text("Homestead Almanac — new articles")
    checks.check("confirmed", page, answer.value)
    assert Signup.objects.get(email="hen@example.com", newsletter=newsletter).receiving


def test_a_reader_chooses_newsletters_a_digest_and_a_pause(page, site, checks):
    flock = make_newsletter(
        make_publication(name="The Backyard Flock"), name="The Backyard Flock — new articles"
    )
    almanac = make_newsletter(
        make_publication(name="Homestead Almanac"), name="Homestead Almanac — new articles"
    )
    reader = make_user("reader@example.com", verified=True)
    sign_up(flock, reader)
    sign_up(almanac, reader)

    log_in(page, site, reader.email)
    page.goto(site + reverse("newsletter_preferences"))
    form = page.locator("#newsletter-preferences")
    expect(form.get_by_label("The Backyard Flock — new articles", exact=True)).to_be_checked()
    expect(form.get_by_label("Homestead Almanac — new articles", exact=True)).to_be_checked()

    form.get_by_label("The Backyard Flock — new articles", exact=True).uncheck()
    form.get_by_label("How often: Homestead Almanac — new articles").select_option(
        label="Weekly digest"
    )
    form.get_by_label("Pause all email for 30 days").check()
    form.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".messages")).to_contain_text("Your newsletter choices are saved.")

    response = page.reload()
    form = page.locator("#newsletter-preferences")
    expect(form.get_by_label("The Backyard Flock — new articles", exact=True)).not_to_be_checked()
    expect(form.get_by_label("Homestead Almanac — new articles", exact=True)).to_be_checked()
    expect(form.get_by_label("How often: Homestead Almanac — new articles")).to_have_value(
        Cadence.WEEKLY
    )
    expect(form.get_by_label("Pause all email for 30 days")).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="All email is paused until")).to_be_visible()
    checks.check("preferences-saved", page, response)

    assert not Signup.objects.get(newsletter=flock, user=reader).receiving
    chosen = Signup.objects.get(newsletter=almanac, user=reader)
    assert chosen.receiving and chosen.effective_cadence == Cadence.WEEKLY
    assert Pause.objects.filter(user=reader).exists()


def test_unsubscribing_from_a_whole_title_and_undoing_it(page, site, checks):
    almanac = make_publication(name="Homestead Almanac")
    articles = make_newsletter(almanac, name="Homestead Almanac — new articles")
    weekly = make_newsletter(almanac, name="The Almanac Weekly", cadence=Cadence.WEEKLY)
    elsewhere = make_newsletter(make_publication(name="The Backyard Flock"))
    address = "neighbour@example.com"
    signup = sign_up(articles, email=address)
    sign_up(weekly, email=address)
    sign_up(elsewhere, email=address)

    token = unsubscribe_token(signup.pk)
    response = page.goto(site + reverse("newsletter_unsubscribe", kwargs={"token": token}))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Unsubscribe from Homestead Almanac — new articles"
    )
    checks.check("unsubscribe", page, response)

    form = page.locator("#unsubscribe")
    form.get_by_label("All newsletters of Homestead Almanac").check()
    with posted(page) as answer:
        form.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")
    expect(page.locator("main")).to_contain_text(
        f"{address} will get no more newsletters of Homestead Almanac."
    )
    checks.check("unsubscribed", page, answer.value)
    receiving = {s.newsletter_id for s in Signup.objects.filter(email=address) if s.receiving}
    assert receiving == {elsewhere.pk}

    with posted(page) as answer:
        page.get_by_role(
            "button", name="That was a mistake: keep sending Homestead Almanac — new articles"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're subscribed again")
    checks.check("resubscribed", page, answer.value)
    receiving = {s.newsletter_id for s in Signup.objects.filter(email=address) if s.receiving}
    assert receiving == {articles.pk, elsewhere.pk}  # the undo is for the link's newsletter
