"""The site degrades, never fails, when the services under it do; and recovers by itself.

- Redis down (a server of the test's own, stopped or frozen mid-test): every page from the
  database, readers stay logged in, logins still work and are still limited, a comment posted
  meanwhile is saved, nothing cached before the outage is trusted after it.
- PostgreSQL down (a cluster of the test's own, stopped mid-test): a quick 503 with Retry-After
  that gives back what was typed, cached pages still served; within seconds of its return, every
  request succeeds again.
"""

import re
import time

import psycopg
import pytest
from django.test import Client

from caching import backends
from comments.models import Comment
from magazine.models import Article
from tests.factories import HIDDEN, PASSWORD, make_article, make_user, subscribe
from tests.servers import (
    AppServers,
    Browser,
    PostgresServer,
    RedisServer,
    manage,
    production_env,
)

# Redis ------------------------------------------------------------------------------------------


@pytest.fixture
def redis_server(own_redis, settings, monkeypatch):
    """The site's cache on a Redis of the test's own."""
    monkeypatch.setattr(backends, "RETRY_SECONDS", 0.2)
    backends._health.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "caching.backends.FaultTolerantRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "outage",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "FALLBACK_PREFIXES": settings.CACHE_FALLBACK_PREFIXES,
            },
        }
    }
    return own_redis


def reader_client(user):
    client = Client()
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return client


@pytest.mark.django_db
def test_with_redis_down_every_page_comes_from_the_database(redis_server):
    article = make_article(access=Article.Access.SUBSCRIBERS)
    subscriber = make_user()
    subscribe(subscriber, article.publication)
    reader, visitor = reader_client(subscriber), Client()
    for client in (reader, visitor, reader, visitor):  # warm: cached pages and sessions
        assert client.get("/").status_code == 200
        client.get(article.get_absolute_url())
    redis_server.stop()
    assert visitor.get("/").status_code == 200
    assert HIDDEN not in visitor.get(article.get_absolute_url()).content.decode()
    assert HIDDEN in reader.get(article.get_absolute_url()).content.decode()  # still logged in
    assert subscriber.email in reader.get("/accounts/").content.decode()


@pytest.mark.django_db
def test_with_redis_down_logins_work_and_failed_ones_are_still_limited(redis_server):
    user = make_user()
    redis_server.stop()
    assert reader_client(user).get("/accounts/").status_code == 200
    attacker = Client()
    for _ in range(6):
        page = attacker.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert "Too many failed login attempts" in page.content.decode()


@pytest.mark.django_db
def test_a_comment_posted_while_redis_is_down_is_saved(redis_server):
    article = make_article()
    client = reader_client(make_user())
    redis_server.stop()
    response = client.post(f"/comments/articles/{article.pk}/", {"body": "Said in the dark."})
    assert response.status_code == 302
    assert Comment.objects.get().body == "Said in the dark."


@pytest.mark.django_db
def test_pages_are_cached_again_once_redis_is_back(redis_server, django_assert_num_queries):
    make_article()
    visitor = Client()
    redis_server.stop()
    visitor.get("/")
    redis_server.start()
    time.sleep(0.3)  # past the pause before the store is tried again
    visitor.get("/")  # empties the store of the outage, renders and stores the page
    with django_assert_num_queries(0):
        assert visitor.get("/").status_code == 200


@pytest.mark.django_db
def test_a_change_made_while_redis_was_frozen_is_seen_when_it_thaws(redis_server):
    """Frozen, Redis keeps every entry; the change could not move their generation."""
    article = make_article()
    visitor = Client()
    assert HIDDEN in visitor.get(article.get_absolute_url()).content.decode()
    redis_server.pause()
    article.access = Article.Access.SUBSCRIBERS
    article.save()
    redis_server.resume()
    time.sleep(0.3)
    assert HIDDEN not in visitor.get(article.get_absolute_url()).content.decode()


# PostgreSQL -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def database_outage(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outage")
    postgres = PostgresServer().create().start()
    redis_server = RedisServer().start()
    env = production_env(
        DATABASE_URL=postgres.url, REDIS_URL=redis_server.url, STATIC_ROOT=str(folder / "static")
    )
    app = AppServers(env, count=1)
    try:
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                        ["seed_demo"]):  # fmt: skip
            manage(env, *command)
        (server,) = app.start()
        yield postgres, server
    finally:
        app.close()
        redis_server.close()
        postgres.close()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_database_outage_is_a_quick_503_and_a_quick_recovery(database_outage):
    postgres, server = database_outage
    article = f"{server}/homestead/building-soil-you-can-trust/"
    visitor, reader = Browser(), Browser()
    assert visitor.open(f"{server}/")[0] == 200
    assert visitor.open(f"{server}/")[0] == 200  # now from the page cache
    reader.log_in(server, "reader@example.com", "magazine-demo")
    form = reader.get(article)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    action = re.search(r'<form id="comment-form"[^>]* action="([^"]+)"', form).group(1)
    postgres.stop()
    try:
        assert visitor.open(f"{server}/")[0] == 200  # the cached page needs no database
        (status, page), seconds = timed(lambda: reader.open(f"{server}/accounts/"))
        assert status == 503 and seconds < 6
        assert "Please try again in a few seconds." in page
        status, page = reader.open(
            f"{server}{action}",
            {"csrfmiddlewaretoken": token, "body": "Typed while the records were away."},
        )
        assert status == 503
        assert "Typed while the records were away." in page
    finally:
        postgres.start()
    deadline = time.monotonic() + 10
    while reader.open(f"{server}/accounts/")[0] != 200:
        assert time.monotonic() < deadline, "the site did not come back within 10 s"
        time.sleep(0.2)
    statuses = [reader.open(f"{server}/accounts/")[0] for _ in range(10)]
    assert statuses == [200] * 10
    with psycopg.connect(postgres.url) as connection:
        saved = connection.execute(
            "SELECT count(*) FROM comments_comment WHERE body LIKE 'Typed while%%'"
        ).fetchone()[0]
    assert saved == 0
