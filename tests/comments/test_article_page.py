"""What the comment section under an article shows, and to whom."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from comments.models import Comment
from magazine.models import Article
from tests.factories import make_article, make_comment, make_publication, make_user, subscribe

pytestmark = pytest.mark.django_db


def page(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def test_article_without_comments_invites_the_first(client):
    article = make_article()
    client.force_login(make_user())
    html = page(client, article)
    assert 'id="comments"' in html
    assert "No comments yet" in html
    assert '<form id="comment-form"' in html
    assert 'name="body"' in html
    assert "Leave a Reply" in html


def test_anonymous_visitor_is_asked_to_log_in_and_comes_back_to_the_form(client):
    article = make_article()
    html = page(client, article)
    assert 'id="comment-form"' not in html
    assert "Log in to leave a reply" in html
    back = quote(f"{article.get_absolute_url()}#comment-form", safe="")
    assert f"/accounts/login/?next={back}" in html


def test_comments_show_as_nested_threads_oldest_first(client):
    article = make_article()
    now = timezone.now()
    first = make_comment(article, body="First!", created_at=now - timedelta(hours=3))
    second = make_comment(article, body="Second thoughts", created_at=now - timedelta(hours=2))
    reply = make_comment(article, parent=first, body="A reply to the first")
    make_comment(article, parent=reply, body="A reply to the reply")
    html = page(client, article)
    assert "4 comments" in html
    assert html.index("First!") < html.index("A reply to the first") < html.index("Second thoughts")
    nested = html.split(f'id="comment-{first.pk}"')[1].split(f'id="comment-{second.pk}"')[0]
    assert nested.count('class="comment-replies"') == 2
    assert "A reply to the reply" in nested


def test_each_comment_has_a_permalink_author_and_times(client):
    article = make_article()
    author = make_user(display_name="Hattie B.")
    comment = make_comment(article, author, created_at=timezone.now() - timedelta(hours=2))
    html = page(client, article)
    assert f'id="comment-{comment.pk}"' in html
    assert f'href="/comments/{comment.pk}/" rel="bookmark"' in html
    assert "Hattie B." in html
    assert f'datetime="{comment.created_at.replace(microsecond=0).isoformat()}"' in html
    assert "2\xa0hours ago" in html


def test_staff_and_subscribers_wear_badges(client):
    article = make_article()
    subscriber = make_user(display_name="Sam")
    subscribe(subscriber, article.publication)
    elsewhere = make_user(display_name="Other")
    subscribe(elsewhere, make_publication())
    make_comment(article, subscriber, body="from a subscriber")
    make_comment(article, make_user(is_staff=True, display_name="Eda"), body="from staff")
    make_comment(article, elsewhere, body="from a subscriber elsewhere")
    html = page(client, article)
    assert html.count("badge-subscriber") == 1
    assert html.count('class="badge badge-staff"') == 1
    sam = html.split("from a subscriber")[0].rsplit('class="comment"', 1)[1]
    assert "Subscriber" in sam


def test_pending_comment_is_shown_only_to_its_author_marked_awaiting_moderation(client):
    article = make_article()
    author = make_user()
    make_comment(article, author, body="Please approve me", status=Comment.Status.PENDING)
    assert "Please approve me" not in page(client, article)
    client.force_login(make_user())
    assert "Please approve me" not in page(client, article)
    client.force_login(author)
    html = page(client, article)
    assert "Please approve me" in html
    assert "Your comment is awaiting moderation" in html


def test_spam_is_not_shown(client):
    article = make_article()
    make_comment(article, body="Buy cheap things", status=Comment.Status.SPAM)
    html = page(client, article)
    assert "Buy cheap things" not in html
    assert "[removed" not in html


def test_removed_comment_with_replies_stays_as_a_placeholder(client):
    article = make_article()
    parent = make_comment(article, body="", status=Comment.Status.DELETED)
    make_comment(article, parent=parent, body="The reply still stands")
    html = page(client, article)
    assert "[deleted]" in html
    assert "The reply still stands" in html


@pytest.mark.parametrize("access", [Article.Access.SUBSCRIBERS, Article.Access.REGISTERED])
def test_readers_who_may_not_read_the_article_see_the_count_but_not_the_comments(client, access):
    article = make_article(access=access)
    make_comment(article, body="Quoting the article at length")
    html = page(client, article)
    assert "1 comment" in html
    assert "Quoting the article at length" not in html
    assert 'id="comment-form"' not in html


def test_reply_link_opens_the_form_under_its_comment(client):
    article = make_article()
    comment = make_comment(article, make_user(display_name="Ada"), body="Reply to me")
    client.force_login(make_user())
    html = page(client, article)
    assert f'href="?replyto={comment.pk}#comment-form"' in html
    html = page(client, article, f"?replyto={comment.pk}")
    assert html.index("Reply to me") < html.index('id="comment-form"')
    assert "Reply to Ada" in html
    assert f'<input type="hidden" name="parent" value="{comment.pk}">' in html
    assert "Cancel reply" in html


def test_no_reply_link_at_the_deepest_level(client, settings):
    settings.COMMENTS_MAX_DEPTH = 2
    article = make_article()
    top = make_comment(article)
    reply = make_comment(article, parent=top)
    client.force_login(make_user())
    html = page(client, article)
    assert f"replyto={top.pk}#" in html
    assert f"replyto={reply.pk}#" not in html
    html = page(client, article, f"?replyto={reply.pk}")
    assert "Leave a Reply" in html
    assert f'name="parent" value="{reply.pk}"' not in html


def test_long_conversations_are_paginated(client, settings):
    settings.COMMENTS_PAGE_SIZE = 2
    article = make_article()
    now = timezone.now()
    for n in range(5):
        make_comment(article, body=f"Thread {n}", created_at=now - timedelta(hours=10 - n))
    first = page(client, article)
    assert "Thread 0" in first and "Thread 1" in first and "Thread 2" not in first
    assert "Comments page 1 of 3" in first
    last = page(client, article, "?comments=3")
    assert "Thread 4" in last and "Thread 0" not in last
    assert "Thread 0" in page(client, article, "?comments=nonsense")
    assert "Thread 4" in page(client, article, "?comments=999")


def test_staff_get_a_link_to_moderate_this_articles_comments(client):
    article = make_article()
    make_comment(article, status=Comment.Status.PENDING, body="waiting")
    client.force_login(make_user(is_staff=True))
    html = page(client, article)
    queue = f"/admin/comments/comment/?article__id__exact={article.pk}&amp;status__exact=pending"
    assert queue in html
    assert "1 awaiting moderation" in html
    assert "waiting" in html
    assert 'value="approve"' in html


def test_cards_on_list_pages_show_comment_counts(client):
    article = make_article()
    make_comment(article)
    make_comment(article)
    make_comment(article, status=Comment.Status.PENDING)
    html = client.get(article.publication.get_absolute_url()).content.decode()
    assert "2 comments" in html
