"""Unsubscribe links: one click from the mail client, a page with choices in the browser, and
only ever for the reader the link was sent to."""

import base64
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from magazine.models import Article
from newsletters.emails import unsubscribe_token, unsubscribe_url
from newsletters.models import Signup
from outbox import suppression
from tests.factories import make_article, make_publication, make_user
from tests.newsletters.helpers import make_newsletter, sent_to, sign_up, tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def title():
    return make_publication(name="Homestead Almanac")


@pytest.fixture
def reader():
    return make_user("reader@example.com")


@pytest.fixture
def signup(title, reader):
    return sign_up(make_newsletter(title, name="New articles"), reader)


def path(signup):
    return unsubscribe_url(signup.pk).removeprefix("https://magazine.example")


def still_receiving(signup):
    signup.refresh_from_db()
    return signup.receiving


def test_the_mail_clients_one_click_post_unsubscribes_with_no_cookies_or_csrf_token(signup):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path(signup), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not still_receiving(signup)
    assert "sessionid" not in response.cookies


def test_opening_the_link_changes_nothing_and_offers_the_choices(client, signup):
    response = client.get(path(signup))
    assert response.status_code == 200
    assert still_receiving(signup)
    page = response.content.decode()
    assert 'name="scope" value="publication"' in page and 'name="scope" value="everything"' in page
    assert "All newsletters of Homestead Almanac" in page


def test_a_tampered_token_is_refused_with_a_clear_page(client, signup):
    token = unsubscribe_token(signup.pk)
    other = sign_up(signup.newsletter, make_user())
    forged = f"{other.pk}:{token.partition(':')[2]}"
    for bad in [forged, token[:-3], "nonsense"]:
        response = client.post(f"/newsletters/unsubscribe/{bad}/", {"scope": "this"})
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert still_receiving(signup) and still_receiving(other)


def test_being_logged_in_as_someone_else_changes_nothing(client, signup):
    someone = make_user("someone@example.com")
    theirs = sign_up(signup.newsletter, someone)
    client.force_login(someone)
    client.post(path(signup), {"scope": "this"})
    assert not still_receiving(signup)
    assert still_receiving(theirs)


def test_all_newsletters_of_the_title(client, title, reader, signup):
    second = sign_up(make_newsletter(title), reader)
    elsewhere = sign_up(make_newsletter(make_publication()), reader)
    client.post(path(signup), {"scope": "publication"})
    assert not still_receiving(signup) and not still_receiving(second)
    assert still_receiving(elsewhere)


def test_all_email_from_the_site_suppresses_the_address_beyond_the_account(
    client, title, reader, signup
):
    elsewhere = sign_up(make_newsletter(make_publication()), reader)
    response = client.post(path(signup), {"scope": "everything"})
    assert "no more email from this site" in response.content.decode()
    assert not still_receiving(elsewhere)
    assert suppression.is_suppressed("reader@example.com")
    reader.delete()
    again = make_user("Reader@Example.com")
    sign_up(signup.newsletter, again)
    make_article(
        title, access=Article.Access.FREE, publish_at=timezone.now() - timedelta(minutes=1)
    )
    tick()
    assert sent_to("reader@example.com") == []


def test_a_mistaken_unsubscribe_can_be_undone_from_the_same_link(client, signup):
    client.post(path(signup), {"scope": "this"})
    response = client.post(path(signup), {"action": "resubscribe"})
    assert response.status_code == 200
    assert still_receiving(signup)


def test_an_old_link_keeps_working(client, signup):
    path_then = path(signup)
    signup.created_at = timezone.now() - timedelta(days=3650)
    signup.save()
    client.post(path_then, {"scope": "this"})
    assert not still_receiving(signup)


def post_inbound(client, subject):
    """An email to the unsubscribe mailbox, as Postmark's inbound webhook delivers it."""
    payload = {
        "FromFull": {"Email": "reader@example.com", "Name": ""},
        "ToFull": [{"Email": "unsubscribe@example.com", "Name": ""}],
        "Subject": subject,
        "TextBody": "",
        "Headers": [],
    }
    auth = "Basic " + base64.b64encode(b"hook:secret").decode()
    return client.post(
        "/anymail/postmark/inbound/",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:secret"}


def test_unsubscribing_by_email_through_the_inbound_webhook(client, webhook_secret, signup):
    response = post_inbound(client, f"unsubscribe {unsubscribe_token(signup.pk)}")
    assert response.status_code == 200
    assert not still_receiving(signup)


def test_an_inbound_message_without_a_valid_token_ends_nothing(client, webhook_secret, signup):
    assert post_inbound(client, f"unsubscribe {signup.pk}:forged").status_code == 200
    assert post_inbound(client, "Re: your newsletter").status_code == 200
    assert still_receiving(signup)


def test_the_link_in_an_email_ends_that_readers_signup(client, title, signup):
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    tick()
    [message] = mail.outbox
    link = message.message()["List-Unsubscribe"].split(",")[0].strip(" <>")
    Client().post(
        link.removeprefix("https://magazine.example"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert not Signup.objects.get(pk=signup.pk).receiving
