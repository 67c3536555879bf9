"""Signing up by address alone (double opt-in), and a reader's choices under My account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from magazine.models import Article
from newsletters.models import Cadence, Pause, Signup
from outbox import suppression
from tests.factories import HIDDEN, make_article, make_publication, make_user, subscribe
from tests.newsletters.helpers import make_newsletter, sent_to, sign_up, tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def title():
    return make_publication(name="The Backyard Flock", slug="backyard")


@pytest.fixture
def newsletter(title):
    return make_newsletter(title, name="The Backyard Flock — new articles", slug="flock")


def sign_up_by_address(client, address, *slugs):
    return client.post("/newsletters/signup/", {"email": address, "newsletters": list(slugs)})


def confirm_link(address):
    [message] = sent_to(address)
    return re.search(r"https://magazine\.example(/newsletters/confirm/[^/\s]+/)", message.body)[1]


def publish(publication, **fields):
    fields.setdefault("access", Article.Access.SUBSCRIBERS)
    fields.setdefault("publish_at", timezone.now() - timedelta(minutes=1))
    return make_article(publication, **fields)


# By address alone --------------------------------------------------------------------------------


def test_the_box_is_on_the_publication_and_article_pages(client, title, newsletter):
    article = publish(title)
    for page in [title.get_absolute_url(), article.get_absolute_url()]:
        html = client.get(page).content.decode()
        assert 'action="/newsletters/signup/"' in html and 'value="flock"' in html
        assert (
            "csrfmiddlewaretoken"
            not in html.split('action="/newsletters/signup/"')[1].split("</form>")[0]
        )


def test_nothing_is_sent_before_the_address_is_confirmed(client, title, newsletter):
    response = Client(enforce_csrf_checks=True).post(
        "/newsletters/signup/", {"email": "Hen@Example.com", "newsletters": ["flock"]}
    )
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert len(sent_to("hen@example.com")) == 1  # the confirmation, nothing else
    mail.outbox.clear()
    publish(title)
    tick()
    assert mail.outbox == []


def test_confirming_is_a_button_not_the_link_alone(client, title, newsletter):
    sign_up_by_address(client, "hen@example.com", "flock")
    link = confirm_link("hen@example.com")
    page = client.get(link)
    assert page.status_code == 200 and "Yes, send it to me" in page.content.decode()
    assert not Signup.objects.get(email="hen@example.com").receiving  # a mail scanner's visit
    done = client.post(link)
    assert "You're subscribed" in done.content.decode()
    assert Signup.objects.get(email="hen@example.com").receiving
    mail.outbox.clear()
    publish(title)
    tick()
    assert len(sent_to("hen@example.com")) == 1


def test_a_newsletter_grants_nothing_to_read(client, title, newsletter):
    sign_up_by_address(client, "hen@example.com", "flock")
    client.post(confirm_link("hen@example.com"))
    article = publish(title)
    mail.outbox.clear()
    tick()
    assert HIDDEN not in sent_to("hen@example.com")[0].body
    assert HIDDEN not in client.get(article.get_absolute_url()).content.decode()


def test_an_old_confirmation_link_is_refused(client, title, newsletter):
    sign_up_by_address(client, "hen@example.com", "flock")
    link = confirm_link("hen@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.post(link)
    assert response.status_code == 400 and "This link does not work" in response.content.decode()
    assert not Signup.objects.get(email="hen@example.com").receiving


def test_typing_an_address_again_and_again_sends_one_confirmation_an_hour(
    client, title, newsletter
):
    for _ in range(3):
        sign_up_by_address(client, "victim@example.com", "flock")
    assert len(sent_to("victim@example.com")) == 1
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        sign_up_by_address(client, "victim@example.com", "flock")
    assert len(sent_to("victim@example.com")) == 2


def test_a_suppressed_address_is_sent_no_confirmation(client, title, newsletter):
    suppression.suppress("bounced@example.com", suppression.Reason.HARD_BOUNCE, source="test")
    response = sign_up_by_address(client, "bounced@example.com", "flock")
    assert response.status_code == 200  # the page says the same as for anyone
    assert mail.outbox == []


def test_bad_input_gets_a_clear_error(client, title, newsletter):
    response = sign_up_by_address(client, "not an address", "flock")
    assert response.status_code == 400 and "valid email" in response.content.decode()
    response = sign_up_by_address(client, "hen@example.com", "no-such-newsletter")
    assert response.status_code == 400
    assert client.get("/newsletters/signup/").status_code == 405
    assert Signup.objects.count() == 0


def test_robots_that_fill_every_field_are_thanked_and_ignored(client, title, newsletter):
    client.post(
        "/newsletters/signup/",
        {"email": "bot@example.com", "newsletters": ["flock"], "website": "x"},
    )
    assert mail.outbox == [] and Signup.objects.count() == 0


def test_signups_are_limited_per_network(client, settings, title, newsletter):
    settings.NEWSLETTER_SIGNUPS_PER_HOUR_PER_IP = 2
    codes = [sign_up_by_address(client, f"n{i}@example.com", "flock").status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_an_address_that_has_an_account_gets_the_newsletter_on_the_account(
    client, title, newsletter
):
    member = make_user("member@example.com", verified=True)
    subscribe(member, title)
    sign_up_by_address(client, "Member@example.com", "flock")
    client.post(confirm_link("member@example.com"))
    signup = Signup.objects.get(newsletter=newsletter)
    assert signup.user == member and signup.receiving
    mail.outbox.clear()
    publish(title)
    tick()
    assert HIDDEN in sent_to("member@example.com")[0].body  # a subscriber: the whole article


# A reader's choices ------------------------------------------------------------------------------


@pytest.fixture
def digest(title):
    return make_newsletter(title, name="Weekly Flock", slug="weekly-flock", cadence=Cadence.WEEKLY)


def test_the_preferences_page_needs_a_login(client):
    response = client.get("/accounts/newsletters/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_preferences_form_lists_each_newsletter_by_slug(client, newsletter, digest):
    reader = make_user(verified=True)
    sign_up(digest, reader)
    client.force_login(reader)
    html = client.get("/accounts/newsletters/").content.decode()
    assert 'form id="newsletter-preferences"' in html
    boxes = re.findall(r'<input type="checkbox" name="newsletters" value="([^"]+)"([^>]*)>', html)
    assert sorted((slug, " checked" in rest) for slug, rest in boxes) == [
        ("flock", False), ("weekly-flock", True),
    ]  # fmt: skip
    assert 'name="cadence-flock"' in html and 'name="cadence-weekly-flock"' not in html
    assert "Pause all email for 30 days" in html


def test_choosing_newsletters_a_cadence_and_a_pause(client, newsletter, digest):
    reader = make_user(verified=True)
    sign_up(digest, reader)
    client.force_login(reader)
    response = client.post(
        "/accounts/newsletters/",
        {"newsletters": ["flock"], "cadence-flock": "daily", "pause": "on"},
    )
    assert response.status_code == 302
    flock = Signup.objects.get(newsletter=newsletter, user=reader)
    assert flock.receiving and flock.effective_cadence == Cadence.DAILY
    assert not Signup.objects.get(newsletter=digest, user=reader).receiving
    pause = Pause.objects.get(user=reader)
    assert timedelta(days=29) < pause.until - timezone.now() <= timedelta(days=30)
    client.post("/accounts/newsletters/", {"newsletters": ["flock"], "cadence-flock": "daily"})
    assert not Pause.objects.filter(user=reader).exists()


def test_an_unconfirmed_address_must_confirm_first(client, title, newsletter):
    reader = make_user("unverified@example.com")
    client.force_login(reader)
    client.post("/accounts/newsletters/", {"newsletters": ["flock"]})
    assert not Signup.objects.get(user=reader).receiving
    client.post(confirm_link("unverified@example.com"))
    assert Signup.objects.get(user=reader).receiving


def test_a_subscriber_sees_the_newsletters_on_by_default_and_can_turn_them_off(
    client, title, newsletter
):
    newsletter.on_by_default = True
    newsletter.save()
    reader = make_user(verified=True)
    subscribe(reader, title)
    client.force_login(reader)
    html = client.get("/accounts/newsletters/").content.decode()
    assert re.search(r'value="flock"[^>]* checked', html)
    client.post("/accounts/newsletters/", {})
    publish(title)
    tick()
    assert sent_to(reader.email) == []


def test_ticking_again_lifts_an_unsubscribe_from_everything_but_not_a_bounce(client, newsletter):
    quitter = make_user("quitter@example.com", verified=True)
    bounced = make_user("bounced@example.com", verified=True)
    suppression.suppress(quitter.email, suppression.Reason.UNSUBSCRIBED, source="reader")
    suppression.suppress(bounced.email, suppression.Reason.HARD_BOUNCE, source="test")
    for person in (quitter, bounced):
        client.force_login(person)
        client.post("/accounts/newsletters/", {"newsletters": ["flock"]})
    assert not suppression.is_suppressed(quitter.email)
    assert suppression.is_suppressed(bounced.email)


def test_one_confirmation_an_hour_whichever_newsletters_are_typed_in(client, title, newsletter):
    make_newsletter(title, slug="second")
    sign_up_by_address(client, "victim@example.com", "flock")
    sign_up_by_address(client, "victim@example.com", "second")
    assert len(sent_to("victim@example.com")) == 1


def test_an_account_that_has_not_verified_the_address_does_not_take_the_signup(
    client, title, newsletter
):
    make_user("squatter@example.com")  # typed someone's address in, never confirmed it
    sign_up_by_address(client, "squatter@example.com", "flock")
    client.post(confirm_link("squatter@example.com"))
    signup = Signup.objects.get(newsletter=newsletter)
    assert signup.user is None and signup.email == "squatter@example.com" and signup.receiving


def test_an_address_that_unsubscribed_may_sign_up_again(client, title, newsletter):
    sign_up_by_address(client, "hen@example.com", "flock")
    client.post(confirm_link("hen@example.com"))
    Signup.objects.filter(email="hen@example.com").update(unsubscribed_at=timezone.now())
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        sign_up_by_address(client, "hen@example.com", "flock")
        response = client.post(confirm_link("hen@example.com"))
    assert "Nothing to confirm" not in response.content.decode()
    assert Signup.objects.get(email="hen@example.com").receiving


def test_a_member_who_left_and_signs_up_by_address_again_receives_it_again(
    client, title, newsletter
):
    member = make_user("member@example.com", verified=True)
    sign_up(newsletter, member, unsubscribed_at=timezone.now())
    sign_up_by_address(client, "member@example.com", "flock")
    client.post(confirm_link("member@example.com"))
    assert Signup.objects.get(newsletter=newsletter).receiving  # the account's, started again
