"""Staff moderate: the queue in the admin, bulk actions, buttons on the article page, bans."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.test import Client

from comments.models import Ban, Comment, CommentSettings
from comments.writing import mark_spam
from magazine.roles import EDITORS, WRITERS
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def editor(client):
    user = make_user("editor@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return user


def test_the_queue_lists_pending_comments_with_article_and_author(client, editor):
    article = make_article(title="Fences That Hold")
    make_comment(article, make_user("rosa@example.com"), status="pending", body="Wait for me")
    make_comment(article, body="Already approved")
    response = client.get(CHANGELIST, {"status__exact": "pending"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wait for me" in html
    assert "Already approved" not in html
    assert "Fences That Hold" in html
    assert "rosa@example.com" in html


def test_the_article_pages_link_opens_the_queue_for_that_article(client, editor):
    article, other = make_article(), make_article()
    make_comment(article, status="pending", body="On this article")
    make_comment(other, status="pending", body="On another")
    response = client.get(
        CHANGELIST, {"article__id__exact": article.pk, "status__exact": "pending"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "On this article" in html
    assert "On another" not in html


def run_action(client, action, comments):
    return client.post(
        CHANGELIST,
        {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in comments]},
        follow=True,
    )


def test_bulk_approve_shows_the_comments_to_everyone(client, editor):
    article = make_article()
    waiting = [make_comment(article, status="pending", body=f"Held {n}") for n in range(2)]
    response = run_action(client, "approve_selected", waiting)
    assert "2 comment(s) approved." in response.content.decode()
    assert set(Comment.objects.values_list("status", flat=True)) == {"approved"}
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Held 0" in html and "Held 1" in html


def test_bulk_spam_hides_the_comments(client, editor):
    article = make_article()
    spam = [make_comment(article, body="Cheap pills")]
    run_action(client, "mark_selected_as_spam", spam)
    assert Comment.objects.get().status == "spam"
    client.logout()
    assert "Cheap pills" not in client.get(article.get_absolute_url()).content.decode()


def test_bulk_delete_removes_the_comments(client, editor):
    comments = [make_comment(make_article()) for _ in range(2)]
    client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [c.pk for c in comments],
            "post": "yes",
        },
    )
    assert not Comment.objects.exists()


def test_staff_approve_and_mark_spam_from_the_article_page(client, editor):
    article = make_article()
    comment = make_comment(article, status="pending", body="Let me in")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'action="/comments/{comment.pk}/moderate/"' in html
    response = client.post(f"/comments/{comment.pk}/moderate/", {"action": "approve"})
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.status == "approved"
    client.post(f"/comments/{comment.pk}/moderate/", {"action": "spam"})
    comment.refresh_from_db()
    assert comment.status == "spam"


@pytest.mark.parametrize("who", ["reader", "writer"])
def test_only_moderators_may_moderate(client, who):
    user = make_user(is_staff=who == "writer")
    if who == "writer":
        user.groups.add(Group.objects.get(name=WRITERS))
    client.force_login(user)
    comment = make_comment(make_article(), status="pending")
    assert (
        client.post(f"/comments/{comment.pk}/moderate/", {"action": "approve"}).status_code == 403
    )
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_editors_hold_the_comment_moderation_permissions(editor):
    for permission in [
        "comments.change_comment",
        "comments.delete_comment",
        "comments.add_ban",
        "comments.change_commentsettings",
    ]:
        assert editor.has_perm(permission)


def test_an_editor_bans_a_reader_from_the_comment_page(client, editor):
    reader = make_user("troll@example.com")
    comment = make_comment(make_article(), reader)
    change = client.get(f"{CHANGELIST}{comment.pk}/change/").content.decode()
    assert f"/admin/comments/ban/add/?user={reader.pk}" in change
    client.post(
        "/admin/comments/ban/add/",
        {
            "user": reader.pk,
            "reason": "Insults",
            "starts_at_0": "2026-01-01",
            "starts_at_1": "0:00",
        },
    )
    ban = Ban.objects.get()
    assert (ban.user, ban.reason, ban.until, ban.created_by) == (reader, "Insults", None, editor)


def test_the_publication_admin_holds_its_comment_settings(client, editor):
    article = make_article()
    page = client.get(f"/admin/magazine/publication/{article.publication.pk}/change/")
    html = page.content.decode()
    assert "comment_settings-0-commenters" in html
    assert "comment_settings-0-moderation" in html
    assert not CommentSettings.objects.exists()


def test_a_comment_marked_as_spam_leaves_the_page_readers_already_saw():
    article = make_article()
    make_comment(article, body="Cheap fence posts, click here")
    reader = Client()
    reader.force_login(make_user())
    assert "Cheap fence posts" in reader.get(article.get_absolute_url()).content.decode()
    mark_spam(Comment.objects.all())
    assert "Cheap fence posts" not in reader.get(article.get_absolute_url()).content.decode()


def test_a_ban_shows_on_the_next_page_the_reader_opens(client):
    article = make_article()
    reader = make_user()
    client.force_login(reader)
    assert 'id="comment-form"' in client.get(article.get_absolute_url()).content.decode()
    Ban.objects.create(user=reader, reason="Cooling off")
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="comment-form"' not in html
    assert "Cooling off" in html


def test_an_unknown_moderation_action_is_refused_and_changes_nothing(client, editor):
    comment = make_comment(make_article(), status="pending")
    response = client.post(f"/comments/{comment.pk}/moderate/", {"action": "publish"})
    assert response.status_code == 400
    assert "Unknown moderation action" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "pending"
