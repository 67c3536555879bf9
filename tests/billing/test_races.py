"""Money never moves twice when things happen at once: two tabs choosing the same price, and the
reader's return from checkout racing the provider's events — in threads of their own, on
PostgreSQL, whose row locks are what keep them apart (SQLite lets one writer in at a time, so
there the race cannot be run, only the sequential versions in test_buying.py)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from billing.models import CheckoutAttempt, Notice, PaidSubscription, Payment, WebhookEvent
from paywall.models import Subscription
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]
ROUNDS = 5


def at_once(*actions):
    """Run the actions together, released at once: the first in this thread (a management
    command sets signal handlers, which only the main thread may), each other in its own.
    Their results, in order."""
    start = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        start.wait()
        try:
            results[index] = action()
        finally:
            if index:
                connections.close_all()  # the thread's own connection

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)][1:]
    for thread in threads:
        thread.start()
    run(0, actions[0])
    for thread in threads:
        thread.join(timeout=60)
    return results


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_two_tabs_choosing_at_once_reach_one_checkout(yearly):
    for round_number in range(ROUNDS):
        reader = make_user(f"tabs{round_number}@example.com", verified=True)
        tabs = [logged_in(reader), logged_in(reader)]
        answers = at_once(
            *[lambda tab=tab: tab.post("/billing/checkout/", {"price": yearly.pk}) for tab in tabs]
        )
        assert {answer.status_code for answer in answers} == {303}
        assert answers[0].url == answers[1].url
        assert CheckoutAttempt.objects.filter(user=reader).count() == 1


def test_the_return_page_racing_the_events_makes_one_subscription_one_payment_one_receipt(
    settings, yearly
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # events wait
    for round_number in range(ROUNDS):
        reader = make_user(f"race{round_number}@example.com", verified=True)
        tab = logged_in(reader)
        checkout = tab.post("/billing/checkout/", {"price": yearly.pk})
        paid = tab.post(checkout.url, {"outcome": "succeed"})
        receipts = Notice.objects.filter(key__startswith="receipt:")
        events = WebhookEvent.objects.filter(provider="test")
        before = (receipts.count(), events.count())

        _, welcome = at_once(
            lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0),
            lambda tab=tab, paid=paid: tab.get(paid.url),
        )

        assert "Welcome, and thank you" in welcome.content.decode()
        assert PaidSubscription.objects.filter(customer__user=reader).count() == 1
        assert Payment.objects.filter(customer__user=reader).count() == 1
        assert Subscription.objects.filter(user=reader).count() == 1
        assert receipts.count() == before[0] + 1  # one receipt, whoever recorded the payment
        assert events.count() > before[1]  # the worker took the checkout's events…
        assert not events.filter(processed_at=None).exists()  # …and none of them failed
