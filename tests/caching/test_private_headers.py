"""Every page a logged-in reader gets is theirs alone: `Cache-Control: private` (or `no-store`)
and `Vary: Cookie`, so no shared cache in front of the site keeps it; the pages holding secrets
(the private feed's address, logged-in devices) are not stored even by the browser."""

import pytest
from django.test import Client
from django.utils.cache import get_max_age

from tests.routes import build_site, every_route

pytestmark = pytest.mark.django_db

SECRET_PAGES = ["/accounts/", "/accounts/sessions/", "/accounts/email/"]
NOT_PAGES = {"media/{path}"}  # uploaded files: the same for everyone


def cache_control(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def reader_client():
    values, reader = build_site()
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    return values, client


def test_every_page_a_reader_gets_is_private_and_varies_on_the_cookie(reader_client):
    values, client = reader_client
    checked = 0
    for route in every_route():
        if route.template in NOT_PAGES:
            continue
        response = client.get(route.path(values))
        if response.status_code >= 400:
            continue
        directives = cache_control(response)
        assert directives & {"private", "no-store"}, (route.template, response["Cache-Control"])
        assert "public" not in directives
        assert "Cookie" in response.get("Vary", ""), route.template
        checked += 1
    assert checked > 40  # the walk reached the site's pages, not just its 404s


@pytest.mark.parametrize("path", SECRET_PAGES)
def test_pages_holding_secrets_are_stored_nowhere(reader_client, path):
    _, client = reader_client
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in cache_control(response)
    assert get_max_age(response) in (None, 0)


def test_the_private_feed_is_stored_nowhere(reader_client):
    values, _ = reader_client
    response = Client().get(f"/feeds/private/{values['token']}/rss/")
    assert response.status_code == 200
    assert "no-store" in cache_control(response)


def test_a_public_page_a_visitor_gets_still_varies_on_the_cookie(reader_client):
    values, _ = reader_client
    response = Client().get(f"/{values['publication']}/")
    assert "Cookie" in response["Vary"]
    assert "private" in cache_control(response)  # anonymous today, logged in tomorrow
