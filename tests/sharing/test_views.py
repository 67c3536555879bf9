"""The share pages: the link on every article, who may send, the form, and the page after it."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from magazine.models import Article
from sharing.models import Share
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def test_every_article_links_to_its_share_form(client, article, share_url):
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{share_url}">Send this to a friend</a>' in html


def test_a_visitor_who_is_not_logged_in_is_asked_to_log_in_first(client, share_url):
    response = client.get(share_url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={share_url}"


def test_an_anonymous_post_sends_nothing_by_default(client, article, share):
    response = share(article)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert mail.outbox == []
    assert not Share.objects.exists()


def test_the_form_is_prefilled_for_a_logged_in_reader(client, subscriber, share_url):
    client.force_login(subscriber)
    html = client.get(share_url).content.decode()
    assert '<form id="share-form"' in html
    assert 'name="sender_name" value="Ann Example"' in html
    assert 'name="sender_email" value="ann@example.com"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Up to 5 addresses, separated by commas." in html


def test_the_form_shows_what_the_friend_will_get_and_nothing_more(client, subscriber, share_url):
    client.force_login(subscriber)
    html = client.get(share_url).content.decode()
    assert "I thought you might be interested in this article on Mending fences" in html
    assert "The open paragraph everyone may read." in html


def test_sending_leads_to_a_confirmation_page(client, subscriber, article, share):
    client.force_login(subscriber)
    response = share(article, to="bo@example.com, cy@example.com")
    assert response.status_code == 302
    confirmation = client.get(response["Location"]).content.decode()
    assert "Thank you for sharing" in confirmation
    assert (
        "Your email about “Mending fences” is on its way to bo@example.com and cy@example.com."
        in confirmation
    )
    assert len(mail.outbox) == 2


def test_each_share_is_recorded_without_the_note_or_addresses(client, subscriber, article, share):
    client.force_login(subscriber)
    share(article, to="bo@example.com, cy@example.com", note="Private words")
    (recorded,) = Share.objects.values()
    assert recorded["article_id"] == article.pk
    assert recorded["sender_id"] == subscriber.pk
    assert recorded["recipient_count"] == 2
    assert recorded["created_at"] is not None
    # Nowhere to keep the note or the addresses: the record is these columns and no others.
    assert set(recorded) == {
        "id", "article_id", "sender_id", "recipient_count", "with_gift", "created_at"
    }  # fmt: skip


def test_a_rejected_form_keeps_what_the_reader_typed(client, subscriber, article, share):
    client.force_login(subscriber)
    response = share(article, to="bo@example.com, nope@", note="Read this one")
    html = response.content.decode()
    assert response.status_code == 200
    assert "“nope@” is not a valid email address." in html
    assert 'value="bo@example.com, nope@"' in html
    assert "Read this one</textarea>" in html
    assert mail.outbox == []


def test_a_header_injection_attempt_gets_a_form_error_and_sends_nothing(
    client, subscriber, article, share
):
    client.force_login(subscriber)
    response = share(article, sender_name="Ann\r\nBcc: everyone@example.com")
    assert response.status_code == 200
    assert "Line breaks aren’t allowed here: use one line." in response.content.decode()
    assert mail.outbox == []


def test_a_robot_filling_the_honeypot_sees_success_but_nothing_is_sent(
    client, subscriber, article, share
):
    client.force_login(subscriber)
    response = share(article, website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"].endswith("/share/sent/")
    assert mail.outbox == []
    assert not Share.objects.exists()


def test_the_form_needs_its_csrf_token(subscriber, article, share_url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(subscriber)
    response = client.post(
        share_url,
        {"to": "bo@example.com", "sender_name": "Ann", "sender_email": "ann@example.com"},
    )
    assert response.status_code == 403
    assert mail.outbox == []


def test_only_published_articles_can_be_shared(client, subscriber, publication):
    make_article(publication, status=Article.Status.DRAFT, slug="draft")
    client.force_login(subscriber)
    assert client.get("/almanac/draft/share/").status_code == 404
    assert client.get("/almanac/no-such-article/share/").status_code == 404


def test_anonymous_senders_may_share_when_the_setting_allows(client, article, share, settings):
    settings.SHARING_ALLOW_ANONYMOUS = True
    html = client.get(f"{article.get_absolute_url()}share/").content.decode()
    assert 'name="sender_name" value=' not in html
    assert 'name="sender_email"' not in html  # an address nobody has verified is no sender
    assert "Include a gift link" not in html
    response = share(article)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.reply_to == []
    assert Share.objects.get().sender is None


def test_anonymous_senders_may_write_to_fewer_friends(client, article, share, settings):
    settings.SHARING_ALLOW_ANONYMOUS = True
    settings.SHARING_ANONYMOUS_MAX_RECIPIENTS = 1
    response = share(article, to="bo@example.com, cy@example.com")
    assert "You can send this to at most 1 friend at once." in response.content.decode()
    assert mail.outbox == []


def test_the_article_preview_for_editors_has_no_share_link(client, article):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    html = client.get(reverse("article_preview", kwargs={"pk": article.pk})).content.decode()
    assert "Send this to a friend" not in html


def test_the_share_pages_are_never_cached(client, subscriber, article, share_url, share):
    client.force_login(subscriber)
    assert "no-store" in client.get(share_url)["Cache-Control"]
    sent = share(article)["Location"]
    assert "no-store" in client.get(sent)["Cache-Control"]


def test_a_reader_who_has_not_confirmed_their_address_is_asked_to_first(client, article, share):
    client.force_login(make_user("new@example.com"))
    html = client.get(f"{article.get_absolute_url()}share/").content.decode()
    assert "Confirm your email address first" in html
    assert '<form id="share-form"' not in html
    assert 'action="/accounts/email/"' in html and 'name="action_send"' in html
    response = share(article)
    assert response.status_code == 403
    assert mail.outbox == []
    assert not Share.objects.exists()


def test_the_confirmation_link_can_be_sent_again_from_there(client, article):
    from allauth.account.models import EmailAddress

    user = make_user("new@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    client.force_login(user)
    client.post("/accounts/email/", {"email": user.email, "action_send": ""})
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    assert "/accounts/confirm-email/" in message.body
