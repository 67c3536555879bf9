"""Email on a reply (opt-in per comment) and the unsubscribe link that needs no login."""

import pytest
from django.core import mail
from django.test import Client

from comments.models import Comment, CommentSettings
from comments.notifications import unsubscribe_token
from comments.writing import approve
from magazine.models import Article
from tests.factories import HIDDEN, make_article, make_comment, make_user, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = make_article(title="Fences That Hold")
    CommentSettings.objects.create(
        publication=article.publication, moderation=CommentSettings.Moderation.NONE
    )
    return article


def reply(client, article, parent, body="I see it differently."):
    client.force_login(make_user(display_name="Tobias"))
    return client.post(f"/comments/articles/{article.pk}/", {"body": body, "parent": parent.pk})


def unsubscribe_url(message):
    return next(line for line in message.body.splitlines() if "/comments/unsubscribe/" in line)


def test_author_who_asked_gets_an_email_for_a_reply(client, article):
    parent = make_comment(article, make_user("ada@example.com"), notify_replies=True)
    reply(client, article, parent)
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Tobias replied to your comment on “Fences That Hold”"
    assert "I see it differently." in message.body
    reply_comment = Comment.objects.get(parent=parent)
    assert f"https://magazine.example/comments/{reply_comment.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "I see it differently." in html
    assert "https://magazine.example/comments/unsubscribe/" in html
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://magazine.example/")


def test_no_email_for_authors_who_did_not_ask(client, article):
    parent = make_comment(article, notify_replies=False)
    reply(client, article, parent)
    assert mail.outbox == []


def test_no_email_for_replying_to_oneself(client, article):
    author = make_user()
    parent = make_comment(article, author, notify_replies=True)
    client.force_login(author)
    client.post(f"/comments/articles/{article.pk}/", {"body": "Also…", "parent": parent.pk})
    assert mail.outbox == []


def test_a_held_reply_is_emailed_when_a_moderator_approves_it(client, article):
    article.publication.comment_settings.moderation = CommentSettings.Moderation.ALL
    article.publication.comment_settings.save()
    parent = make_comment(article, notify_replies=True)
    reply(client, article, parent)
    assert mail.outbox == []
    approve(Comment.objects.filter(parent=parent), now=parent.created_at)
    assert len(mail.outbox) == 1
    approve(Comment.objects.filter(parent=parent), now=parent.created_at)
    assert len(mail.outbox) == 1, "approving again sends nothing"


def test_unsubscribe_link_asks_before_it_stops_the_emails_without_login(client, article):
    parent = make_comment(article, notify_replies=True)
    reply(client, article, parent)
    url = unsubscribe_url(mail.outbox[0]).replace("https://magazine.example", "")
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(url)
    assert page.status_code == 200
    assert "Stop emails about replies?" in page.content.decode()
    parent.refresh_from_db()
    assert parent.notify_replies, "a GET changes nothing"
    token = page.cookies["csrftoken"].value
    done = anonymous.post(url, {"csrfmiddlewaretoken": token})
    assert "You won't get more emails about replies" in done.content.decode()
    parent.refresh_from_db()
    assert not parent.notify_replies
    reply(client, article, parent, body="Another reply")
    assert len(mail.outbox) == 1


def test_a_tampered_unsubscribe_link_is_refused_clearly(client, article):
    comment = make_comment(article, notify_replies=True)
    token = unsubscribe_token(comment)
    for bad in (token[:-2] + "xx", "nonsense"):
        response = client.post(f"/comments/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert "This link doesn't work" in response.content.decode()
    comment.refresh_from_db()
    assert comment.notify_replies


def test_the_email_does_not_quote_a_reply_to_someone_who_may_no_longer_read_the_article(client):
    article = make_article(access=Article.Access.SUBSCRIBERS)
    lapsed = make_user("lapsed@example.com")
    parent = make_comment(article, lapsed, notify_replies=True)
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    client.force_login(subscriber)
    make_comment(article, subscriber)  # an approved comment: the reply appears at once
    client.post(
        f"/comments/articles/{article.pk}/", {"body": f"As it says: {HIDDEN}", "parent": parent.pk}
    )
    [message] = mail.outbox
    assert HIDDEN not in message.body
    assert HIDDEN not in message.alternatives[0][0]
    assert "replied to your comment" in message.body
