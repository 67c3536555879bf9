"""A logged-in reader's article page reads the shared cache once, and the copies each process
keeps never show a reader something another server has already changed."""

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from accounts.backends import user_key
from accounts.models import User
from caching import batch
from caching.generations import bump
from comments.caching import conversations_changed
from comments.models import Comment
from magazine.changes import CONTENT
from magazine.models import Article
from tests.factories import HIDDEN, make_article, make_comment, make_user, subscribe

pytestmark = pytest.mark.django_db

CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr")


@pytest.fixture
def round_trips(monkeypatch):
    """Every call the site makes to the shared cache, by name, as they happen (the calls the
    in-memory cache makes to itself are part of the one round trip)."""
    calls, depth = [], []
    for name in CACHE_CALLS:
        method = getattr(LocMemCache, name)

        def counted(self, *args, _method=method, _name=name, **kwargs):
            if not depth:
                calls.append(_name)
            depth.append(_name)
            try:
                return _method(self, *args, **kwargs)
            finally:
                depth.pop()

        monkeypatch.setattr(LocMemCache, name, counted)
    return calls


@pytest.fixture
def article():
    return make_article(access=Article.Access.SUBSCRIBERS)


@pytest.fixture
def subscriber_client(article):
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    client = Client()
    client.force_login(subscriber)
    return client


def read(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_warm_subscriber_page_costs_one_cache_round_trip(subscriber_client, article, round_trips):
    make_comment(article, body="A first thought.")
    read(subscriber_client, article)  # renders, caches
    read(subscriber_client, article)  # this process now knows the session's user
    round_trips.clear()
    html = read(subscriber_client, article)
    assert HIDDEN in html
    assert "A first thought." in html
    assert round_trips == ["get_many"]


def test_a_change_made_on_another_server_shows_at_once(subscriber_client, article):
    read(subscriber_client, article)
    read(subscriber_client, article)  # the article and the page, kept in this process
    # Another server edits the article: the row changes and the content generation moves, but
    # this process's copies are not told.
    Article.objects.filter(pk=article.pk).update(title="A Title Set Elsewhere")
    bump(CONTENT)
    assert "A Title Set Elsewhere" in read(subscriber_client, article)


def test_a_comment_approved_on_another_server_shows_at_once(subscriber_client, article):
    read(subscriber_client, article)
    read(subscriber_client, article)
    comment = make_comment(article, body="Pending until now.", status=Comment.Status.PENDING)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    conversations_changed([article.pk])
    assert "Pending until now." in read(subscriber_client, article)


def test_an_anonymous_page_kept_in_the_process_follows_changes_elsewhere(client):
    article = make_article(title="Title Before The Edit")
    assert "Title Before The Edit" in read(client, article)
    assert "Title Before The Edit" in read(client, article)  # from this process's copy
    Article.objects.filter(pk=article.pk).update(title="Title After The Edit")
    bump(CONTENT)
    assert "Title After The Edit" in read(client, article)


def test_a_wrong_guess_of_the_session_user_is_never_used(subscriber_client, article):
    """The process guesses which user a session belongs to, to fetch their entries with the
    session; a guess that turns out wrong costs a second round trip and nothing else."""
    stranger = make_user()  # no subscription
    read(subscriber_client, article)
    session_key = subscriber_client.cookies["sessionid"].value
    batch.SESSION_USERS.set(session_key, None, stranger.pk, expires_at=2**40)
    html = read(subscriber_client, article)
    assert HIDDEN in html
    assert batch.SESSION_USERS.get(session_key, None) != stranger.pk


def test_reads_outside_a_request_go_straight_to_the_cache(round_trips):
    batch.put("some-key", 1, 60)
    assert batch.get("some-key") == 1
    batch.delete("some-key")
    assert batch.get("some-key") is None
    assert round_trips == ["set", "get_many", "delete", "get_many"]


def test_a_user_cached_again_before_a_change_commits_is_forgotten_at_commit(
    django_capture_on_commit_callbacks,
):
    user = make_user()
    stale = User.objects.get(pk=user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()
        cache.set(user_key(user.pk), stale, 300)  # another request read the row before commit
    assert cache.get(user_key(user.pk)) is None


def test_a_generation_moves_again_when_the_change_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bump(CONTENT)
        moved = cache.get(CONTENT)  # a page rendered now, from rows not yet committed
    assert cache.get(CONTENT) != moved
