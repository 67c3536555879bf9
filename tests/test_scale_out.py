"""Two app servers in front of the same PostgreSQL and Redis behave as one site: a login made on
one is valid on the other, a rate limit counts requests to both, a comment posted on one
appears on the other.

The servers are real gunicorn processes with production settings, on a database of their own.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import closing
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("SCALE_OUT_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SCALE_OUT_REDIS", "redis://127.0.0.1:6379/5")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEMO_PASSWORD = "magazine-demo"
# Behind a load balancer every server sees the site's one public name, whatever its own address.
PUBLIC_HOST = "magazine.test"


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


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if reason := reachable():
        pytest.skip(reason)
    name = f"magazine_scale_out_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS).flushdb()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
        "DATABASE_URL": f"{POSTGRES}/{name}",
        "REDIS_URL": REDIS,
        "DEBUG": "false",
        "SECRET_KEY": "scale-out-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": f"{PUBLIC_HOST},127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "TASK_BACKEND": "immediate",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
    }
    processes = []
    try:
        setup = (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["seed_demo"],
        )
        for command in setup:
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
            )  # fmt: skip
        ports = [free_port(), free_port()]
        for port in ports:
            server = [
                "gunicorn",
                "magazine.wsgi",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ]
            processes.append(subprocess.Popen([sys.executable, "-m", *server], cwd=ROOT, env=env))
        for port in ports:
            wait_for(port)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(REDIS).flushdb()


def wait_for(port):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app server on port {port} did not start")


class Browser:
    """Just enough of a browser behind the load balancer: the public host name, cookies, forms
    with their CSRF token."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url):
        return self.opener.open(urllib.request.Request(url, headers=self.headers)).read().decode()

    @property
    def headers(self):
        return {"Host": PUBLIC_HOST}

    def post(self, url, data, *, form_page=None):
        html = self.get(form_page or url)
        data = {"csrfmiddlewaretoken": TOKEN.search(html).group(1), **data}
        request = urllib.request.Request(
            url, urllib.parse.urlencode(data).encode(), headers=self.headers
        )
        try:
            return self.opener.open(request).read().decode()
        except urllib.error.HTTPError as error:
            return error.read().decode()


def log_in(browser, server, email, password):
    return browser.post(
        f"{server}/accounts/login/", {"login": email, "password": password, "next": "/accounts/"}
    )


def test_a_login_on_one_server_is_valid_on_the_other(servers):
    first, second = servers
    reader = Browser()
    log_in(reader, first, "reader@example.com", DEMO_PASSWORD)
    account = reader.get(f"{second}/accounts/")
    assert "My account" in account
    assert "reader@example.com" in account


def test_failed_logins_count_across_both_servers(servers):
    first, second = servers
    attacker = Browser()
    for attempt in range(5):
        log_in(attacker, servers[attempt % 2], "editor@example.com", "not the password")
    page = log_in(attacker, second, "editor@example.com", DEMO_PASSWORD)
    assert "Too many failed login attempts" in page
    assert "Too many failed login attempts" in log_in(
        Browser(), first, "editor@example.com", DEMO_PASSWORD
    )


def test_a_comment_posted_on_one_server_appears_on_the_other(servers):
    first, second = servers
    article = "/homestead/building-soil-you-can-trust/"
    visitor = Browser()
    assert "Posted through the first server" not in visitor.get(f"{second}{article}")
    reader = Browser()
    log_in(reader, first, "reader@example.com", DEMO_PASSWORD)
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
