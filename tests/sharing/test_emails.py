"""The email a friend gets: honest, short, from the site with replies to the sender, quoting
only what anyone may read, and sent in the background with retries."""

import logging
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from magazine.models import Article
from tests.factories import HIDDEN, TEASER, make_article
from tests.outbox.test_tasks import FlakyBackend

pytestmark = pytest.mark.django_db

NEEDLES = [HIDDEN, "SECRET-PARAGRAPH", "More for subscribers only", "After the break"]


def html_of(message):
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


@pytest.fixture
def sent(client, subscriber, article, share):
    """The email Ann, a subscriber, sends about the subscribers-only article, with a note."""
    client.force_login(subscriber)
    response = share(article, note="You'll like this,\nBo.")
    assert response.status_code == 302
    (message,) = mail.outbox
    return message


def test_subject_names_the_article(sent):
    assert sent.subject == "I thought you might be interested in this article on Mending fences"


def test_it_comes_from_the_site_and_replies_go_to_the_sender(sent, settings):
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL
    assert sent.reply_to == ["Ann Example <ann@example.com>"]
    assert sent.to == ["friend@example.com"]


def test_body_has_sender_note_title_dek_and_teaser_then_the_closing_line(sent):
    body = sent.body
    assert body.startswith("Ann Example thought you might be interested in this article")
    assert "You'll like this,\nBo." in body
    for part in ["Mending fences", "How to keep the goats in.", *TEASER.split("\n\n")]:
        assert part in body
    assert body.rstrip().splitlines()[-1] == (
        "-- Read the story at https://magazine.example/almanac/mending-fences/"
    )


def test_html_alternative_says_the_same(sent):
    html = html_of(sent)
    assert "Ann Example wrote:" in html
    assert "You&#x27;ll like this,<br>Bo." in html
    assert "<h1" in html and "Mending fences</h1>" in html
    assert "The open paragraph everyone may read." in html
    assert 'href="https://magazine.example/almanac/mending-fences/"' in html


def test_a_subscribers_article_is_quoted_only_to_its_teaser_even_by_a_subscriber(sent):
    for text in (sent.body, html_of(sent)):
        for needle in NEEDLES:
            assert needle not in text
    assert "The rest of the story is for Homestead Almanac subscribers." in sent.body


def test_a_free_article_is_quoted_only_to_its_teaser_too(client, subscriber, share, publication):
    article = make_article(publication, access=Article.Access.FREE)
    client.force_login(subscriber)
    share(article)
    (message,) = mail.outbox
    assert "The open paragraph everyone may read." in message.body
    assert HIDDEN not in message.body
    assert "subscribers" not in message.body


def test_the_link_uses_the_configured_site_address_not_the_request_host(
    client, subscriber, article, share, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    client.force_login(subscriber)
    client.defaults["HTTP_HOST"] = "attacker.example"
    share(article)
    (message,) = mail.outbox
    assert "attacker.example" not in message.body + html_of(message)
    assert "https://magazine.example/almanac/mending-fences/" in message.body


def test_each_friend_gets_an_email_of_their_own(client, subscriber, article, share):
    client.force_login(subscriber)
    share(article, to="bo@example.com, cy@example.com")
    assert [m.to for m in mail.outbox] == [["bo@example.com"], ["cy@example.com"]]


def test_nothing_the_sender_types_reaches_the_html_unescaped(client, subscriber, article, share):
    client.force_login(subscriber)
    share(
        article,
        sender_name='Ann <script>alert("x")</script>',
        note='<a href="https://phish.example">Click</a> <img src=x onerror=alert(1)> & more',
    )
    html = html_of(mail.outbox[0])
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;a href=&quot;https://phish.example&quot;&gt;Click&lt;/a&gt;" in html


def test_links_in_the_note_are_never_made_into_links(client, subscriber, article, share):
    client.force_login(subscriber)
    share(article, note="See https://phish.example/login and www.phish.example too")
    html = html_of(mail.outbox[0])
    assert "See https://phish.example/login and www.phish.example too" in html
    links = re.findall(r"<a\s[^>]*>", html)
    assert len(links) == 2  # the site's own two links to the story
    assert all('href="https://magazine.example/almanac/mending-fences/"' in a for a in links)


def test_the_sender_name_is_quoted_safely_in_reply_to(client, subscriber, article, share):
    client.force_login(subscriber)
    share(article, sender_name="Example, Ann")
    assert mail.outbox[0].reply_to == ['"Example, Ann" <ann@example.com>']


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_tasks.FlakyBackend"
    yield FlakyBackend
    FlakyBackend.failures = 0


def test_when_the_mail_server_never_answers_the_failure_is_logged_not_shown(
    client, subscriber, article, share, flaky, caplog, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    flaky.failures = 10
    client.force_login(subscriber)
    with caplog.at_level(logging.WARNING, logger="outbox.tasks"):
        response = share(article)
    assert response.status_code == 302
    assert mail.outbox == []
    assert "Giving up" in caplog.records[-1].getMessage()


@pytest.mark.django_db(transaction=True)  # the worker opens connections of its own
def test_with_the_database_queue_the_worker_sends_what_the_form_queued(
    client, subscriber, article, share, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(subscriber)
    assert share(article, to="bo@example.com, cy@example.com").status_code == 302
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 2
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@example.com", "cy@example.com"]
