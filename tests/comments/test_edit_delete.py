"""Authors edit their comment for a short while and delete it at any time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from comments.models import Ban, Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    user = make_user()
    client.force_login(user)
    return user


def test_author_edits_within_the_window(client, author):
    comment = make_comment(make_article(), author, body="Teh typo")
    page = client.get(f"/comments/{comment.pk}/edit/")
    assert page.status_code == 200
    assert "Teh typo" in page.content.decode()
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "The typo, fixed"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "The typo, fixed"
    assert comment.edited_at is not None
    assert "edited" in client.get(response["Location"]).content.decode()


def test_the_edit_link_shows_only_to_the_author_while_the_window_is_open(client, author):
    article = make_article()
    comment = make_comment(article, author, created_at=timezone.now())
    edit = f"/comments/{comment.pk}/edit/"
    assert edit in client.get(article.get_absolute_url()).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        client.force_login(author)
        assert edit not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(make_user())
    assert edit not in client.get(article.get_absolute_url()).content.decode()


def test_editing_after_the_window_is_refused(client, author):
    comment = make_comment(
        make_article(), author, created_at=timezone.now() - timedelta(minutes=16)
    )
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Too late"})
    assert response.status_code == 403
    assert "can no longer be edited" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body != "Too late"


def test_the_edit_window_is_a_setting(client, author, settings):
    settings.COMMENTS_EDIT_MINUTES = 60
    comment = make_comment(
        make_article(), author, created_at=timezone.now() - timedelta(minutes=30)
    )
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200


def test_nobody_edits_someone_elses_comment(client, author):
    comment = make_comment(make_article(), make_user(), created_at=timezone.now())
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 404


def test_a_banned_author_may_not_edit(client, author):
    comment = make_comment(make_article(), author, created_at=timezone.now())
    Ban.objects.create(user=author, reason="Spam")
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "x"}).status_code == 403


def test_an_edit_that_adds_links_waits_for_a_moderator_again(client, author):
    comment = make_comment(make_article(), author, created_at=timezone.now())
    client.post(f"/comments/{comment.pk}/edit/", {"body": "https://a.example https://b.example"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.held_because == Comment.Hold.LINKS


def test_an_empty_edit_is_refused_with_a_clear_error(client, author):
    comment = make_comment(make_article(), author, created_at=timezone.now())
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": ""})
    assert response.status_code == 400
    assert "Write your comment before sending it." in response.content.decode()


def test_delete_asks_first_and_deletes_on_post(client, author):
    article = make_article()
    comment = make_comment(article, author, body="Regrettable", created_at=timezone.now())
    page = client.get(f"/comments/{comment.pk}/delete/")
    assert "Delete your comment?" in page.content.decode()
    assert Comment.objects.filter(pk=comment.pk).exists()
    response = client.post(f"/comments/{comment.pk}/delete/")
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert "Regrettable" not in client.get(article.get_absolute_url()).content.decode()


def test_an_old_comment_can_still_be_deleted(client, author):
    comment = make_comment(make_article(), author, created_at=timezone.now() - timedelta(days=400))
    client.post(f"/comments/{comment.pk}/delete/")
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_a_deleted_comment_with_replies_leaves_deleted_so_the_thread_holds(client, author):
    article = make_article()
    comment = make_comment(article, author, body="Controversial")
    make_comment(article, parent=comment, body="Strong reply")
    client.post(f"/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert (comment.status, comment.body) == (Comment.Status.DELETED, "")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "[deleted]" in html
    assert "Controversial" not in html
    assert "Strong reply" in html
    assert "1 comment" in html


def test_deleting_the_last_reply_under_a_deleted_comment_removes_the_placeholder(client, author):
    article = make_article()
    parent = make_comment(article, body="", status=Comment.Status.DELETED)
    reply = make_comment(article, author, parent=parent)
    client.post(f"/comments/{reply.pk}/delete/")
    assert not Comment.objects.exists()


def test_nobody_deletes_someone_elses_comment(client, author):
    comment = make_comment(make_article(), make_user())
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_edit_and_delete_need_a_login(client):
    comment = make_comment(make_article())
    client.logout()
    for action in ("edit", "delete"):
        response = client.post(f"/comments/{comment.pk}/{action}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
