import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import make_publication, make_user, subscribe

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_sign_up_with_an_email_address(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "New@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get()
    assert user.email == "new@example.com"
    assert client.get("/accounts/").status_code == 200


def test_sign_up_form_keeps_what_was_typed_when_rejected(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": "different"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="new@example.com"' in html
    assert "You must type the same password each time." in html


def test_log_in_with_email_in_any_case(client):
    make_user("reader@example.com", password=PASSWORD)
    response = client.post(
        "/accounts/login/", {"login": "READER@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_admin_login_uses_the_email_address(client):
    make_user("editor@example.com", password=PASSWORD, is_staff=True, is_superuser=True)
    page = client.get("/admin/login/").content.decode()
    assert "Email address" in page
    assert client.login(username="Editor@Example.com", password=PASSWORD)


def test_log_out_needs_a_post(client):
    client.force_login(make_user())
    client.get("/accounts/logout/")
    assert client.get("/accounts/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/accounts/").status_code == 302


def test_failed_logins_are_rate_limited(client):
    make_user("reader@example.com", password=PASSWORD)
    for _ in range(5):
        client.post("/accounts/login/", {"login": "reader@example.com", "password": "no"})
    response = client.post(
        "/accounts/login/", {"login": "reader@example.com", "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/accounts/").status_code == 302


def test_email_confirmation_link_does_not_log_anyone_in_on_get(client):
    client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    client.post("/accounts/logout/")
    path = link.split("testserver", 1)[-1]
    response = client.get(path)
    assert response.status_code == 200
    assert "Confirm" in response.content.decode()
    assert client.get("/accounts/").status_code == 302


def test_emails_name_the_site_not_the_host(client, settings):
    settings.SITE_NAME = "The Magazine Rack"
    make_user("reader@example.com")
    client.post("/accounts/password/reset/", {"email": "reader@example.com"})
    assert "The Magazine Rack" in mail.outbox[0].body
    assert "testserver!" not in mail.outbox[0].body


def test_my_account_lists_subscriptions_with_status_and_end_date(client):
    user = make_user()
    subscription = subscribe(user, make_publication(name="Backyard Flock"))
    client.force_login(user)
    html = client.get("/accounts/").content.decode()
    assert "Backyard Flock" in html
    assert "Active" in html
    assert subscription.ends_at.strftime("%-d %B %Y") in html


def test_my_account_updates_the_display_name(client):
    user = make_user()
    client.force_login(user)
    response = client.post("/accounts/", {"display_name": "Hattie B."}, follow=True)
    assert "Your profile is saved." in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Hattie B."


def test_reader_sees_devices_and_logs_out_everywhere_else(client):
    from django.test import Client

    make_user("reader@example.com", password=PASSWORD)
    laptop, phone = client, Client(HTTP_USER_AGENT="Phone browser")
    for device in (laptop, phone):
        device.post("/accounts/login/", {"login": "reader@example.com", "password": PASSWORD})
    html = laptop.get("/accounts/").content.decode()
    assert "Phone browser" in html
    assert "Log out everywhere else" in html
    laptop.post("/accounts/sessions/")
    assert laptop.get("/accounts/").status_code == 200
    assert phone.get("/accounts/").status_code == 302


def test_account_pages_need_login(client):
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/")
