"""Who sees the form, and who is refused: per publication, by age, by ban, by the paywall."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from comments.models import Ban, Comment, CommentSettings
from magazine.models import Article
from tests.factories import make_article, make_user, subscribe

pytestmark = pytest.mark.django_db

Commenters = CommentSettings.Commenters


def page(client, article):
    return client.get(article.get_absolute_url()).content.decode()


def post(client, article, body="My view on this."):
    return client.post(f"/comments/articles/{article.pk}/", {"body": body})


def commenters(article, who):
    CommentSettings.objects.create(publication=article.publication, commenters=who)


def test_logged_in_readers_may_comment_by_default(client):
    article = make_article()
    client.force_login(make_user())
    assert 'id="comment-form"' in page(client, article)
    assert post(client, article).status_code == 302
    assert Comment.objects.count() == 1


def test_subscribers_only_publication_refuses_other_readers(client):
    article = make_article()
    commenters(article, Commenters.SUBSCRIBERS)
    client.force_login(make_user())
    html = page(client, article)
    assert 'id="comment-form"' not in html
    assert f"Only subscribers to {article.publication.name} may comment here." in html
    assert post(client, article).status_code == 403
    assert not Comment.objects.exists()


def test_subscribers_only_publication_welcomes_its_subscribers(client):
    article = make_article()
    commenters(article, Commenters.SUBSCRIBERS)
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    client.force_login(subscriber)
    assert 'id="comment-form"' in page(client, article)
    assert post(client, article).status_code == 302


def test_publication_with_comments_closed_shows_no_form_to_anyone(client):
    article = make_article()
    commenters(article, Commenters.NOBODY)
    assert "Comments are closed." in page(client, article)
    client.force_login(make_user(is_staff=True))
    assert "Comments are closed." in page(client, article)
    assert post(client, article).status_code == 403


def test_comments_close_by_themselves_after_the_set_number_of_days(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    article = make_article(publish_at=timezone.now() - timedelta(days=29))
    client.force_login(make_user())
    assert 'id="comment-form"' in page(client, article)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        html = page(client, article)
        assert 'id="comment-form"' not in html
        assert "Comments on this article closed on" in html
        assert post(client, article).status_code == 403


def test_reader_who_may_not_read_a_subscribers_article_may_not_comment(client):
    article = make_article(access=Article.Access.SUBSCRIBERS)
    client.force_login(make_user())
    html = page(client, article)
    assert 'id="comment-form"' not in html
    assert "Subscribe to" in html
    assert post(client, article).status_code == 403


def test_subscriber_comments_on_a_subscribers_article(client):
    article = make_article(access=Article.Access.SUBSCRIBERS)
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    client.force_login(subscriber)
    assert post(client, article).status_code == 302


def test_banned_reader_sees_why_instead_of_the_form(client):
    article = make_article()
    reader = make_user()
    until = timezone.now() + timedelta(days=7)
    Ban.objects.create(user=reader, reason="Repeated personal attacks", until=until)
    client.force_login(reader)
    html = page(client, article)
    assert 'id="comment-form"' not in html
    assert "Repeated personal attacks" in html
    assert "until" in html
    response = post(client, article)
    assert response.status_code == 403
    assert "Repeated personal attacks" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_ban_ends_at_its_end_date(client):
    article = make_article()
    reader = make_user()
    Ban.objects.create(user=reader, reason="Cool off", until=timezone.now() + timedelta(hours=1))
    client.force_login(reader)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert 'id="comment-form"' in page(client, article)


def test_a_ban_without_end_date_lasts(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    article = make_article()
    reader = make_user()
    Ban.objects.create(user=reader, reason="Spam")
    with time_machine.travel(timezone.now() + timedelta(days=3000)):
        client.force_login(reader)
        assert "Reason given by the moderators: Spam" in page(client, article)


def test_one_banned_readers_reason_is_never_shown_to_another(client):
    article = make_article()
    first, second = make_user(), make_user()
    Ban.objects.create(user=first, reason="Reason given to the first reader")
    Ban.objects.create(user=second, reason="Reason given to the second reader")
    client.force_login(first)
    assert "Reason given to the first reader" in page(client, article)
    client.force_login(second)
    html = page(client, article)
    assert "Reason given to the second reader" in html
    assert "Reason given to the first reader" not in html
