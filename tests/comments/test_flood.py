"""Flood control: a pause between comments, limits per reader and per IP; nothing typed is lost."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_article()


def post(client, article, body, **extra):
    return client.post(f"/comments/articles/{article.pk}/", {"body": body}, **extra)


def test_a_second_comment_within_the_interval_waits_and_keeps_its_text(client, article):
    client.force_login(make_user())
    assert post(client, article, "First").status_code == 302
    response = post(client, article, "Second, typed with care")
    assert response.status_code == 429
    html = response.content.decode()
    assert "You are commenting too quickly. Wait 15 seconds" in html
    assert "Second, typed with care" in html
    assert '<form id="comment-form"' in html
    with time_machine.travel(timezone.now() + timedelta(seconds=16)):
        assert post(client, article, "Second, typed with care").status_code == 302
    assert Comment.objects.count() == 2


def test_readers_have_a_limit_per_window(client, article, settings):
    settings.COMMENTS_MIN_INTERVAL_SECONDS = 0
    settings.COMMENTS_RATE_LIMIT_PER_USER = 2
    client.force_login(make_user())
    assert post(client, article, "one").status_code == 302
    assert post(client, article, "two").status_code == 302
    response = post(client, article, "three")
    assert response.status_code == 429
    assert "You have posted the most comments allowed in 60 minutes" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        client.force_login(Comment.objects.first().user)
        assert post(client, article, "three").status_code == 302


def test_one_ip_address_has_a_limit_whoever_is_logged_in(client, article, settings):
    settings.COMMENTS_RATE_LIMIT_PER_IP = 2
    for n in range(2):
        client.force_login(make_user())
        assert post(client, article, f"comment {n}").status_code == 302
    client.force_login(make_user())
    assert post(client, article, "from the same address").status_code == 429
    assert post(client, article, "from elsewhere", REMOTE_ADDR="203.0.113.9").status_code == 302


def test_json_client_over_the_limit_gets_429(client, article):
    client.force_login(make_user())
    post(client, article, "First")
    response = post(client, article, "Second", headers={"Accept": "application/json"})
    assert response.status_code == 429
    assert "commenting too quickly" in response.json()["errors"]["__all__"][0]["message"]


def test_a_rejected_form_does_not_count_against_the_limits(client, article):
    client.force_login(make_user())
    assert post(client, article, "").status_code == 400
    assert post(client, article, "Now with words").status_code == 302


def test_staff_are_not_held_back(client, article):
    client.force_login(make_user(is_staff=True))
    for n in range(3):
        assert post(client, article, f"Answering reader {n}").status_code == 302
