"""Staff's hands on a send under way: paused, it holds where it is; resumed, it goes on with
nobody mailed twice; cancelled, whoever was still waiting is not sent it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from magazine import roles
from newsletters import sending
from newsletters.models import Delivery, Send
from tests.factories import make_article, make_publication, make_staff, make_user
from tests.newsletters.helpers import make_newsletter, sign_up, tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def send():
    """A send to five addresses, two of them sent before staff step in."""
    title = make_publication()
    newsletter = make_newsletter(title)
    for n in range(5):
        sign_up(newsletter, email=f"r{n}@example.com")
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    one_slice()
    one_slice()
    assert len(mail.outbox) == 2
    return Send.objects.get()


def one_slice():
    """A tick whose time runs out after one message."""
    sending.run(timezone.now(), deadline=0)


@pytest.fixture
def publisher(client):
    client.force_login(make_staff(roles.PUBLISHERS, "publisher@example.com"))
    return client


def run_action(client, action, send):
    response = client.post(
        reverse("admin:newsletters_send_changelist"),
        {"action": action, "_selected_action": [send.pk]},
    )
    assert response.status_code == 302
    return response


def test_a_paused_send_holds_and_resumed_goes_on_without_a_second_copy(publisher, send):
    run_action(publisher, "pause", send)
    one_slice()
    tick()
    assert len(mail.outbox) == 2
    page = publisher.get(reverse("admin:newsletters_send_changelist")).content.decode()
    assert "Paused" in page
    run_action(publisher, "resume", send)
    for _ in range(3):
        tick()
    assert sorted(m.to[0] for m in mail.outbox) == [f"r{n}@example.com" for n in range(5)]
    send.refresh_from_db()
    assert send.finished_at is not None and send.paused_at is None


def test_a_cancelled_send_sends_nothing_more_and_says_so(publisher, send):
    run_action(publisher, "cancel", send)
    for _ in range(3):
        tick()
    assert len(mail.outbox) == 2
    send.refresh_from_db()
    assert send.cancelled_at and send.finished_at
    assert Delivery.objects.filter(state="skipped", detail__contains="cancelled").count() == 3
    page = publisher.get(reverse("admin:newsletters_send_changelist")).content.decode()
    assert "Cancelled" in page


def test_a_paused_send_does_not_hold_up_another(publisher, send):
    run_action(publisher, "pause", send)
    title = make_publication()
    sign_up(make_newsletter(title), email="other@example.com")
    make_article(title, publish_at=timezone.now() - timedelta(minutes=1))
    tick()
    assert mail.outbox[-1].to == ["other@example.com"]


def test_staff_who_may_only_look_cannot_stop_a_send(client, send):
    onlooker = make_user("onlooker@example.com", is_staff=True)
    onlooker.user_permissions.add(Permission.objects.get(codename="view_send"))
    client.force_login(onlooker)
    client.post(
        reverse("admin:newsletters_send_changelist"),
        {"action": "cancel", "_selected_action": [send.pk]},
    )
    one_slice()
    send.refresh_from_db()
    assert send.cancelled_at is None and len(mail.outbox) == 3
