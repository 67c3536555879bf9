"""When the database goes away in the middle of a request, the reader is told to try again in a
moment (503, Retry-After), gets back what they typed, and nothing of it was saved."""

import pytest
from django.db import OperationalError, ProgrammingError
from django.test import Client

from comments import views as comment_views
from comments.models import Comment
from sharing import views as share_views
from sharing.models import Share
from tests.factories import PASSWORD, make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def database_gone(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_a_comment_that_fails_after_it_was_written_is_not_saved_and_comes_back(client, monkeypatch):
    article = make_article()
    client.force_login(make_user())
    monkeypatch.setattr(comment_views, "posted", database_gone)  # after the INSERT
    response = client.post(
        f"/comments/articles/{article.pk}/", {"body": "My carefully chosen words."}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "My carefully chosen words." in html
    assert '<form method="post" action="">' in html  # back to where it was posted, query and all
    assert 'name="csrfmiddlewaretoken"' in html  # "Try again" posts it once more
    assert not Comment.objects.exists()


def test_a_share_that_fails_midway_sends_and_records_nothing(client, monkeypatch, mailoutbox):
    article = make_article()
    client.force_login(make_user(verified=True))
    monkeypatch.setattr(share_views.messages, "success", database_gone)  # after the queueing
    response = client.post(
        f"{article.get_absolute_url()}share/",
        {"to": "bo@example.com", "sender_name": "Ann", "note": "Read this, Bo."},
    )
    assert response.status_code == 503
    assert "Read this, Bo." in response.content.decode()
    assert not Share.objects.exists()


def test_a_password_is_never_written_back_into_the_page(client, monkeypatch):
    from accounts import views as account_views

    monkeypatch.setattr(account_views.AllauthLoginView, "post", database_gone)
    response = client.post("/accounts/login/", {"login": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 503
    assert PASSWORD not in response.content.decode()


def test_a_page_that_cannot_reach_the_database_says_try_again(client, monkeypatch):
    from magazine.pages import views

    monkeypatch.setattr(views.FrontPageView, "get_context_data", database_gone)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Please try again in a few seconds." in response.content.decode()


def test_any_other_error_is_still_the_plain_500_page(client, monkeypatch):
    from magazine.pages import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.FrontPageView, "get_context_data", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_comment_was_saved_says_so_and_offers_no_resend(monkeypatch):
    from accounts import middleware

    article = make_article()
    client = Client(raise_request_exception=False)
    client.force_login(make_user())
    monkeypatch.setattr(middleware, "TOUCH_INTERVAL", 0)  # the session is written on the way out
    monkeypatch.setattr(type(client.session), "save", database_gone)
    response = client.post(f"/comments/articles/{article.pk}/", {"body": "Words once."})
    assert response.status_code == 503
    html = response.content.decode()
    assert "What you sent was saved" in html
    assert "Words once." not in html and "Try again" not in html
    assert Comment.objects.get().body == "Words once."


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("no such column: magazine_article.nonesuch"),
        ProgrammingError('relation "nowhere" does not exist'),
    ],
)
def test_a_query_that_is_wrong_is_a_500_not_a_try_again(client, monkeypatch, error):
    import sqlite3

    from magazine.pages import views

    def wrong(*args, **kwargs):
        raise error from sqlite3.OperationalError(str(error))

    monkeypatch.setattr(views.FrontPageView, "get_context_data", wrong)
    assert client.get("/").status_code == 500
