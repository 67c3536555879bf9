"""Account emails link to the site's own address, whatever Host a request claimed; names with
line breaks can neither be saved nor break an email."""

import pytest
from django.core import mail
from django.test import Client

from accounts.forms import ProfileForm
from comments.models import CommentSettings
from comments.writing import post_comment
from tests.factories import PASSWORD, make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def forged_host(settings):
    settings.ALLOWED_HOSTS = ["*"]  # a misconfigured proxy: any Host reaches the site
    return Client(HTTP_HOST="evil.example")


def links(message):
    return [word for word in message.body.split() if "://" in word]


def test_a_password_reset_link_is_on_the_sites_address(forged_host):
    make_user("ann@example.com")
    forged_host.post("/accounts/password/reset/", {"email": "ann@example.com"})
    (message,) = mail.outbox
    assert links(message)
    assert all(link.startswith("https://magazine.example/") for link in links(message))


def test_an_email_confirmation_link_is_on_the_sites_address(forged_host):
    forged_host.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    (message,) = mail.outbox
    assert any("/accounts/confirm-email/" in link for link in links(message))
    assert all(link.startswith("https://magazine.example/") for link in links(message))


@pytest.mark.parametrize("name", ["Ann\nBcc: victim@example.com", "Ann\r\nX: 1", "Ann\u2028Bo"])
def test_a_name_with_a_line_break_is_refused_where_it_is_typed(name):
    form = ProfileForm({"display_name": name}, instance=make_user())
    assert not form.is_valid()
    assert "Line breaks" in form.errors["display_name"][0]


def test_a_reply_email_to_a_reader_whose_name_has_a_line_break_still_goes(settings):
    """Names saved before the rule (or around the form) are made one line in every header."""
    article = make_article()
    CommentSettings.objects.create(publication=article.publication, moderation="none")
    rosa = make_user(display_name="Rosa\r\nBcc: victim@example.com")
    parent = make_comment(article, make_user(), notify_replies=True)
    post_comment(
        article=article, user=rosa, body="Agreed.", parent=parent, ip_address=None,
        now=parent.created_at,
    )  # fmt: skip
    (message,) = mail.outbox
    assert message.subject.startswith("Rosa Bcc: victim@example.com replied")
    assert "\n" not in message.subject
    assert message.bcc == []
