"""The private feed address on "My account": created, shown, and reset with a button."""

import pytest

from accounts.models import FeedToken
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = make_user("reader@example.com")
    client.force_login(user)
    return user


def test_a_reader_without_a_private_feed_is_offered_one(client, reader):
    page = client.get("/accounts/").content.decode()
    assert "Your private feed" in page
    assert "Create my private feed" in page
    assert "/feeds/private/" not in page


def test_creating_the_private_feed_shows_its_addresses(client, reader):
    response = client.post("/accounts/feed/", follow=True)
    token = FeedToken.objects.get(user=reader)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/#private-feed"
    assert "Your private feed is ready" in page
    assert f'value="https://magazine.example/feeds/private/{token.key}/rss/"' in page
    assert f'value="https://magazine.example/feeds/private/{token.key}/atom/"' in page
    assert "Reset the feed address" in page
    assert len(token.key) >= 40


def test_resetting_gives_a_new_address_and_retires_the_old_one(client, reader):
    client.post("/accounts/feed/")
    old = FeedToken.objects.get(user=reader).key
    page = client.post("/accounts/feed/", follow=True).content.decode()
    new = FeedToken.objects.get(user=reader).key
    assert new != old
    assert "The old one no longer works." in page
    assert old not in page
    assert client.get(f"/feeds/private/{old}/rss/").status_code == 404
    assert client.get(f"/feeds/private/{new}/rss/").status_code == 200


def test_reset_needs_a_post(client, reader):
    assert client.get("/accounts/feed/").status_code == 405
    assert not FeedToken.objects.exists()


def test_reset_needs_a_login(client):
    response = client.post("/accounts/feed/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_reset_is_protected_against_cross_site_requests(reader):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(reader)
    assert csrf_client.post("/accounts/feed/").status_code == 403
