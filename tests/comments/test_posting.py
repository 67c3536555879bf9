"""Posting comments and replies: what is saved, what waits for a moderator, what is refused."""

import pytest
from django.test import Client

from comments.models import Comment, CommentSettings
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db

Moderation = CommentSettings.Moderation


@pytest.fixture
def article():
    return make_article()


@pytest.fixture
def reader(client):
    user = make_user(display_name="Rosa")
    client.force_login(user)
    return user


def post(client, article, **data):
    data.setdefault("body", "A thoughtful remark about fences.")
    return client.post(f"/comments/articles/{article.pk}/", data)


def moderate(article, mode):
    CommentSettings.objects.create(publication=article.publication, moderation=mode)


def test_a_readers_first_comment_waits_for_approval(client, article, reader):
    response = post(client, article)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.held_because == Comment.Hold.FIRST
    assert comment.user == reader and comment.article == article
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    html = client.get(response["Location"]).content.decode()
    assert "awaiting moderation" in html
    assert "A thoughtful remark about fences." in html


def test_once_a_reader_has_an_approved_comment_later_ones_appear_at_once(client, article, reader):
    make_comment(make_article(section=article.section), reader)
    post(client, article)
    assert Comment.objects.get(article=article).status == Comment.Status.APPROVED
    assert "Your comment is published." in client.get(article.get_absolute_url()).content.decode()


def test_an_approved_comment_in_another_publication_does_not_count(client, article, reader):
    make_comment(make_article(), reader)
    post(client, article)
    assert Comment.objects.get(article=article).status == Comment.Status.PENDING


def test_publication_that_moderates_everything_holds_every_comment(client, article, reader):
    moderate(article, Moderation.ALL)
    make_comment(article, reader)
    post(client, article)
    assert Comment.objects.latest("pk").held_because == Comment.Hold.ALL


def test_publication_without_moderation_publishes_a_first_comment(client, article, reader):
    moderate(article, Moderation.NONE)
    post(client, article)
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_comment_with_two_links_waits_whoever_writes_it(client, article, reader):
    moderate(article, Moderation.NONE)
    post(client, article, body="See https://a.example/ and www.b.example.com for more.")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.held_because == Comment.Hold.LINKS


def test_staff_comments_appear_at_once(client, article):
    moderate(article, Moderation.ALL)
    client.force_login(make_user(is_staff=True))
    post(client, article, body="Links https://a.example/ https://b.example/")
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_a_reply_hangs_under_its_parent_in_the_same_thread(client, article, reader):
    moderate(article, Moderation.NONE)
    parent = make_comment(article)
    response = post(client, article, parent=parent.pk, body="I agree with you.")
    reply = Comment.objects.get(parent=parent)
    assert (reply.thread_id, reply.depth) == (parent.pk, 2)
    html = client.get(response["Location"]).content.decode()
    assert html.index(parent.body) < html.index("I agree with you.")


def test_reply_to_a_comment_of_another_article_is_refused_and_the_text_kept(client, reader):
    article = make_article()
    elsewhere = make_comment(make_article())
    response = post(client, article, parent=elsewhere.pk, body="My careful words")
    assert response.status_code == 400
    html = response.content.decode()
    assert "gone or takes no more replies" in html
    assert "My careful words" in html
    assert not Comment.objects.filter(article=article).exists()


def test_reply_past_the_depth_limit_is_refused(client, article, reader, settings):
    settings.COMMENTS_MAX_DEPTH = 2
    deepest = make_comment(article, parent=make_comment(article))
    assert post(client, article, parent=deepest.pk).status_code == 400


def test_reply_to_a_pending_comment_is_refused(client, article, reader):
    pending = make_comment(article, status=Comment.Status.PENDING)
    assert post(client, article, parent=pending.pk).status_code == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your comment before sending it."),
        ("   \n  ", "Write your comment before sending it."),
        ("x" * 5001, "Keep your comment under 5,000 characters (it has 5001)."),
    ],
)
def test_empty_or_too_long_comment_gets_a_clear_error(client, article, reader, body, message):
    response = post(client, article, body=body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_the_length_limit_is_a_setting(client, article, reader, settings):
    settings.COMMENTS_MAX_LENGTH = 10
    response = post(client, article, body="eleven char")
    assert "Keep your comment under 10 characters (it has 11)." in response.content.decode()


def test_the_same_comment_twice_is_caught(client, article, reader):
    make_comment(article, reader, body="Same words")
    response = post(client, article, body="Same words")
    assert response.status_code == 400
    assert "You have already posted this comment here." in response.content.decode()


def test_filled_honeypot_is_refused_with_the_text_kept(client, article, reader):
    response = post(client, article, body="Real words", website="http://spam.example/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Leave this field empty" in html
    assert "Real words" in html
    assert not Comment.objects.exists()


def test_rejected_form_re_renders_the_whole_article_page(client, article, reader):
    response = post(client, article, body="")
    html = response.content.decode()
    assert article.title in html
    assert '<form id="comment-form"' in html
    assert 'aria-invalid="true"' in html


def test_anonymous_post_is_sent_to_log_in(client, article):
    response = post(client, article)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Comment.objects.exists()


def test_post_without_csrf_token_is_refused(article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    assert post(client, article).status_code == 403
    assert not Comment.objects.exists()


def test_comments_on_an_unpublished_article_are_not_found(client, reader):
    draft = make_article(status="draft")
    assert post(client, draft).status_code == 404


def test_json_client_gets_the_comment_or_the_errors(client, article, reader):
    headers = {"Accept": "application/json"}
    response = client.post(f"/comments/articles/{article.pk}/", {"body": "Hello"}, headers=headers)
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["url"].endswith(f"#comment-{Comment.objects.get().pk}")
    response = client.post(f"/comments/articles/{article.pk}/", {"body": ""}, headers=headers)
    assert response.status_code == 400
    assert (
        response.json()["errors"]["body"][0]["message"] == "Write your comment before sending it."
    )


def test_json_client_not_logged_in_gets_401(client, article):
    response = client.post(
        f"/comments/articles/{article.pk}/", {"body": "Hi"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 401
    assert "Log in to leave a reply" in response.json()["error"]


def test_the_ip_address_is_kept_for_moderators(client, article, reader):
    post(client, article)
    assert Comment.objects.get().ip_address == "127.0.0.1"
