"""Two app servers in front of the same PostgreSQL and Redis behave as one site: a login made on
one is valid on the other, a rate limit counts requests to both, a comment posted on one
appears on the other.

The servers are real gunicorn processes with production settings, on a database of their own.
"""

import os
import re
import uuid

import psycopg
import pytest
import redis

from tests.servers import AppServers, Browser, manage, production_env

POSTGRES = os.environ.get("SCALE_OUT_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SCALE_OUT_REDIS", "redis://127.0.0.1:6379/5")
DEMO_PASSWORD = "magazine-demo"


def reachable():
    """Why the test cannot run here, or None."""
    try:
        with psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3):
            pass
    except psycopg.Error:
        return f"PostgreSQL is not answering at {POSTGRES} (CI starts it: .ci/run)"
    try:
        redis.Redis.from_url(REDIS, socket_timeout=3).ping()
    except redis.RedisError:
        return f"Redis is not answering at {REDIS} (CI starts it: .ci/run)"
    return None


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if reason := reachable():
        pytest.skip(reason)
    name = f"magazine_scale_out_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS).flushdb()
    env = production_env(
        DATABASE_URL=f"{POSTGRES}/{name}",
        REDIS_URL=REDIS,
        STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
    )
    app = AppServers(env)
    try:
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                        ["seed_demo"]):  # fmt: skip
            manage(env, *command)
        yield app.start()
    finally:
        app.close()
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(REDIS).flushdb()


def test_a_login_on_one_server_is_valid_on_the_other(servers):
    first, second = servers
    reader = Browser()
    reader.log_in(first, "reader@example.com", DEMO_PASSWORD)
    account = reader.get(f"{second}/accounts/")
    assert "My account" in account
    assert "reader@example.com" in account


def test_failed_logins_count_across_both_servers(servers):
    first, second = servers
    attacker = Browser()
    for attempt in range(5):
        attacker.log_in(servers[attempt % 2], "editor@example.com", "not the password")
    page = attacker.log_in(second, "editor@example.com", DEMO_PASSWORD)
    assert "Too many failed login attempts" in page
    assert "Too many failed login attempts" in Browser().log_in(
        first, "editor@example.com", DEMO_PASSWORD
    )


def test_a_comment_posted_on_one_server_appears_on_the_other(servers):
    first, second = servers
    article = "/homestead/building-soil-you-can-trust/"
    visitor = Browser()
    assert "Posted through the first server" not in visitor.get(f"{second}{article}")
    reader = Browser()
    reader.log_in(first, "reader@example.com", DEMO_PASSWORD)
    html = reader.get(f"{first}{article}")
    action = re.search(r'<form id="comment-form"[^>]* action="([^"]+)"', html).group(1)
    reader.post(
        f"{first}{action}",
        {"body": "Posted through the first server, read on the second."},
        form_page=f"{first}{article}",
    )
    assert "Posted through the first server, read on the second." in visitor.get(
        f"{second}{article}"
    )
