"""Remember me, read from the Set-Cookie headers the browser actually gets."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def log_in(client, remember):
    make_user("sub@example.com", password=PASSWORD)
    data = {"login": "sub@example.com", "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302
    return response.cookies[settings.SESSION_COOKIE_NAME]


def test_not_remembered_login_gets_a_browser_session_cookie(client):
    cookie = log_in(client, remember=False)
    header = cookie.output()
    assert "expires" not in header.lower()
    assert "max-age" not in header.lower()
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_remembered_login_gets_a_persistent_cookie(client, settings):
    settings.SESSION_COOKIE_AGE = 30 * 24 * 60 * 60
    cookie = log_in(client, remember=True)
    assert cookie["max-age"] == 30 * 24 * 60 * 60
    assert cookie["expires"]
    assert "HttpOnly" in cookie.output()


def test_session_key_changes_at_login(client):
    client.get("/accounts/login/")
    client.session["before"] = True
    before = client.session.session_key
    log_in(client, remember=False)
    assert client.session.session_key != before


def test_not_remembered_session_ends_on_the_server_after_the_idle_timeout(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 12 * 60 * 60
    log_in(client, remember=False)
    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=11)):
        assert client.get("/accounts/").status_code == 200  # activity renews it
    with time_machine.travel(start + timedelta(hours=22)):
        assert client.get("/accounts/").status_code == 200
    with time_machine.travel(start + timedelta(hours=35)):
        # A browser that restored the cookie after a restart is still logged out.
        response = client.get("/accounts/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_remembered_session_outlives_the_idle_timeout(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 12 * 60 * 60
    log_in(client, remember=True)
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        assert client.get("/accounts/").status_code == 200


def test_login_by_emailed_code_is_not_remembered(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 60 * 60
    make_user("code@example.com")
    client.post("/accounts/login/code/", {"email": "code@example.com"})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[0].body, re.MULTILINE).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    header = response.cookies[settings.SESSION_COOKIE_NAME].output().lower()
    assert "max-age" not in header
    assert "expires" not in header
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert client.get("/accounts/").status_code == 302
