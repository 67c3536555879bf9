"""A reader joins the conversation under an article; an editor approves her first comments from
the admin and everyone sees them."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from magazine.roles import EDITORS
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


@pytest.fixture
def article(settings):
    settings.COMMENTS_MIN_INTERVAL_SECONDS = 0
    article = make_article(title="Fences That Hold")
    make_comment(article, make_user(display_name="Ada"), body="Mine held through two winters.")
    return article


def log_in(page, site, email, next_url):
    page.goto(f"{site}/accounts/login/?next={next_url}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_reader_comments_and_replies_and_an_editor_approves_them(page, context, site, article):
    make_user("rosa@example.com", password=PASSWORD, display_name="Rosa")
    editor = make_user("editor@example.com", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))

    page.goto(site + article.get_absolute_url())
    page.get_by_role("link", name="Log in to leave a reply").click()
    page.get_by_label("Email address").fill("rosa@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{article.get_absolute_url()}#comment-form")

    form = page.locator("#comment-form")
    form.get_by_label("Comment").fill("Posts set in gravel, not concrete, last longest.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".messages")).to_contain_text("awaiting moderation")
    mine = page.locator(".comment", has_text="Posts set in gravel")
    expect(mine.locator(".comment-pending")).to_contain_text("Your comment is awaiting moderation")

    page.get_by_role("link", name="Reply to Ada").click()
    expect(page.get_by_role("heading", name="Reply to Ada")).to_be_visible()
    form = page.locator("#comment-form")
    form.get_by_label("Comment").fill("Two winters is a good test, Ada.")
    form.get_by_role("button", name="Post reply").click()
    ada = page.locator(".comment", has_text="Mine held through two winters.")
    expect(ada.locator(".comment-replies")).to_contain_text("Two winters is a good test, Ada.")

    visitor = context.browser.new_context()
    other = visitor.new_page()
    other.goto(site + article.get_absolute_url())
    expect(other.locator("#comments")).to_contain_text("Mine held through two winters.")
    expect(other.locator("#comments")).not_to_contain_text("Posts set in gravel")

    editors = context.browser.new_context()
    editor_page = editors.new_page()
    log_in(editor_page, site, "editor@example.com", "/admin/comments/comment/")
    editor_page.get_by_role("link", name="Awaiting moderation").click()
    for text in ["Posts set in gravel", "Two winters is a good test"]:
        editor_page.locator("tr", has_text=text).locator("input.action-select").check()
    editor_page.locator("select[name=action]").select_option("approve_selected")
    editor_page.get_by_role("button", name="Go").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("2 comment(s) approved.")
    editors.close()

    other.reload()
    expect(other.locator("#comments")).to_contain_text("Posts set in gravel, not concrete")
    expect(other.locator("#comments-heading")).to_have_text("3 comments")
    reply = other.locator(".comment-replies", has_text="Two winters is a good test, Ada.")
    expect(reply).to_be_visible()
    visitor.close()
