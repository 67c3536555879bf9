"""The Content-Security-Policy holds without breaking anything: the site's pages and the admin's
raise no violation in the browser, and the headers that go with it are on every response."""

import pytest
from django.urls import reverse

from comments.models import Comment
from magazine.models import Article, Publication
from tests.factories import PASSWORD, make_article, make_comment, make_user

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


@pytest.fixture
def watched(browser):
    """A browser context whose pages record every CSP violation and console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    errors = []
    context.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and errors.append(message.text)
        ),
    )
    yield context, errors
    context.close()


def violations(page, errors):
    return page.evaluate("() => window.cspViolations") + errors


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_the_sites_pages_raise_no_violation(watched, site):
    context, errors = watched
    article = make_article(access=Article.Access.SUBSCRIBERS, title="Fences")
    Publication.objects.update(accent_color="#12ab34")  # not the stylesheet's own default
    make_comment(article)
    page = context.new_page()
    urls = [
        "/",
        article.publication.get_absolute_url(),
        article.get_absolute_url(),
        "/search/?q=fences",
        reverse("account_login"),
        reverse("account_signup"),
    ]
    for url in urls:
        visit(page, site + url)
        assert violations(page, errors) == [], url
    visit(page, site + article.get_absolute_url())
    body = page.locator("body")
    accent = body.evaluate("element => getComputedStyle(element).getPropertyValue('--accent')")
    assert accent.strip() == "#12ab34"  # from /accents.css


def test_the_admin_raises_no_violation_where_editors_work(watched, site):
    context, errors = watched
    editor = make_user("editor@example.com", is_staff=True, is_superuser=True)
    article = make_article(title="Fences")
    comment = make_comment(article, status=Comment.Status.PENDING)
    publication = Publication.objects.get()
    page = context.new_page()
    page.goto(site + reverse("admin:login"))
    page.get_by_label("Email address").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for url in [
        reverse("admin:index"),
        reverse("admin:magazine_article_changelist"),
        reverse("admin:magazine_article_add"),
        reverse("admin:magazine_article_change", args=[article.pk]),
        reverse("admin:magazine_article_history", args=[article.pk]),
        reverse("admin:magazine_publication_change", args=[publication.pk]),
        reverse("admin:comments_comment_change", args=[comment.pk]),
        reverse("admin:accounts_user_change", args=[editor.pk]),
    ]:
        visit(page, site + url)
        assert violations(page, errors) == [], url
    visit(page, site + reverse("admin:magazine_article_add"))
    page.locator(".select2-selection").first.click()  # the autocomplete widgets' scripts
    assert violations(page, errors) == []


def test_every_response_carries_the_security_headers(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    expected = ["default-src 'self'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'", "object-src 'none'", "form-action 'self'"]  # fmt: skip
    for directive in expected:
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
