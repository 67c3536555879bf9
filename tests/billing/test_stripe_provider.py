"""Paying through Stripe, against a fake Stripe on the network (localstripe and our extension):
Checkout, the return, the webhooks after it in any order, and the changes asked of Stripe."""

import time
from datetime import date
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from billing import gifts
from billing.models import (
    CheckoutAttempt,
    Customer,
    GiftSubscription,
    PaidSubscription,
    Payment,
    WebhookEvent,
)
from billing.providers import provider
from paywall.models import Subscription
from tests.billing.stripe_support import SECRET, WEBHOOK, deliver, rolled_back, rows, scrambled
from tests.factories import make_user

Status = PaidSubscription.Status


@pytest.fixture
def at_stripe(fake_stripe, yearly, monthly):
    """The yearly and monthly prices, as plans of the fake Stripe (it has no prices)."""
    for price in (yearly, monthly):
        price.stripe_price_id = f"price_almanac_{price.interval}ly"
        price.save()
        fake_stripe.client.v1.plans.create({
            "id": price.stripe_price_id, "amount": price.amount, "currency": price.currency,
            "interval": price.interval, "product": {"name": "Homestead Almanac"},
        })  # fmt: skip
    return yearly


def start_paying(client, price):
    response = client.post("/billing/checkout/", {"price": price.pk})
    assert response.status_code == HTTPStatus.SEE_OTHER, response.content
    return response.url


def local(url):
    """The path and query of an address on this site."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def subscribe(client, fake_stripe, price):
    """The reader chooses `price`, pays at Stripe's checkout and comes back: the return page."""
    status, back = fake_stripe.pay(start_paying(client, price))
    assert status == HTTPStatus.FOUND
    return client.get(local(back))


def paid_invoice(fake_stripe, paid):
    subscription = fake_stripe.client.v1.subscriptions.retrieve(paid.external_id)
    return fake_stripe.client.v1.invoices.retrieve(subscription.latest_invoice)


def test_a_reader_subscribes_at_stripe_checkout_and_reads_to_the_end_of_the_paid_year(
    client, reader, at_stripe, fake_stripe
):
    client.force_login(reader)
    checkout_url = start_paying(client, at_stripe)
    assert checkout_url.startswith(f"{fake_stripe.url}/_config/fake/checkout/cs_test_")
    _, back = fake_stripe.pay(checkout_url)
    assert back.startswith("https://magazine.example/billing/return/?attempt=")
    assert "Welcome, and thank you" in client.get(local(back)).content.decode()

    paid = PaidSubscription.objects.get()
    invoice = paid_invoice(fake_stripe, paid)
    entitlement = Subscription.objects.get(user=reader)
    assert entitlement.source == Subscription.Source.PAID
    assert entitlement.ends_at.timestamp() == invoice.lines.data[0].period.end
    payment = Payment.objects.get()
    assert (payment.external_id, payment.amount, payment.status) == (invoice.id, 3200, "paid")
    assert payment.method == "Visa ending 4242" and payment.charge_id.startswith("ch_")
    assert CheckoutAttempt.objects.get().status == CheckoutAttempt.Status.COMPLETE

    before = rows()
    outcomes = deliver(client, fake_stripe.events())  # the webhooks come after the return
    after = rows()
    assert after.pop("customers") == [(paid.customer.external_id, "Visa ending 4242")]
    before.pop("customers")  # the card is described by customer.updated only
    assert after == before
    assert "processed" in outcomes and "ignored" in outcomes  # e.g. plan.created
    assert [m.subject for m in mail.outbox] == [
        "Your receipt: $32 for Homestead Almanac subscription"
    ]


def test_the_events_alone_in_any_order_make_the_rows_the_return_page_and_events_make(
    client, reader, at_stripe, fake_stripe
):
    client.force_login(reader)
    _, back = fake_stripe.pay(start_paying(client, at_stripe))
    events = fake_stripe.events()
    with rolled_back():
        client.get(local(back))
        deliver(client, events)
        expected = rows()
    assert expected["entitlements"] and expected["payments"]
    orders = [events[::-1] + events[:3], *(scrambled(events, seed=seed) for seed in range(4))]
    for order in orders:
        with rolled_back():
            deliver(client, order)
            assert rows() == expected
            client.get(local(back))  # the reader's return comes last, and changes nothing
            assert rows() == expected


def test_a_declined_card_leaves_nothing_and_another_card_subscribes_once(
    client, reader, at_stripe, fake_stripe
):
    client.force_login(reader)
    checkout_url = start_paying(client, at_stripe)
    assert fake_stripe.pay(checkout_url, card="pm_card_visa_chargeDeclined")[0] == 402
    deliver(client, fake_stripe.events())
    assert not PaidSubscription.objects.exists() and not Subscription.objects.exists()
    assert start_paying(client, at_stripe) == checkout_url  # the same checkout, still open
    _, back = fake_stripe.pay(checkout_url)
    client.get(local(back))
    deliver(client, fake_stripe.events())
    assert PaidSubscription.objects.count() == 1 and Subscription.objects.count() == 1


@pytest.fixture
def subscribed(client, reader, at_stripe, fake_stripe):
    """A reader who has subscribed through Stripe, every event since delivered."""
    client.force_login(reader)
    subscribe(client, fake_stripe, at_stripe)
    deliver(client, fake_stripe.events())
    mail.outbox.clear()
    return PaidSubscription.objects.get()


def deliver_new(client, fake_stripe):
    """The events not delivered yet (those already are come again, as duplicates)."""
    known = set(WebhookEvent.objects.values_list("event_id", flat=True))
    events = fake_stripe.events()
    deliver(client, [event for event in events if event["id"] not in known])
    return deliver(client, events)  # Stripe may send any of them again: nothing changes


def test_cancelling_at_stripe_keeps_access_to_the_period_end_and_resuming_undoes_it(
    client, subscribed, fake_stripe
):
    stripe = provider("stripe")
    entitlement = subscribed.entitlement
    stripe.cancel_at_period_end(subscribed.external_id, reason="Moving abroad")
    assert set(deliver_new(client, fake_stripe)) == {"duplicate"}
    subscribed.refresh_from_db()
    assert subscribed.cancel_at_period_end and subscribed.cancel_reason == "Moving abroad"
    assert subscribed.status == Status.ACTIVE
    entitlement.refresh_from_db()
    assert entitlement.cancelled_at is None  # reading goes on to the end of the paid year
    assert [m.subject for m in mail.outbox] == [
        "Cancelled: Homestead Almanac subscription will not renew"
    ]

    stripe.resume(subscribed.external_id)
    deliver_new(client, fake_stripe)
    subscribed.refresh_from_db()
    assert not subscribed.cancel_at_period_end and subscribed.cancel_reason == "Moving abroad"


def test_a_subscription_cancelled_at_stripe_ends_access_when_it_ended(
    client, reader, subscribed, fake_stripe
):
    fake_stripe.client.v1.subscriptions.cancel(subscribed.external_id)  # staff, at Stripe
    deliver_new(client, fake_stripe)
    subscribed.refresh_from_db()
    assert subscribed.status == Status.CANCELED and subscribed.ended_at
    entitlement = Subscription.objects.get(user=reader)
    assert entitlement.cancelled_at == subscribed.ended_at
    assert entitlement.status() == Subscription.Status.CANCELLED
    assert [m.subject for m in mail.outbox] == ["Homestead Almanac subscription has ended"]


def test_a_refund_made_at_stripe_is_recorded_on_its_payment_and_access_stays(
    client, reader, subscribed, fake_stripe
):
    payment = Payment.objects.get()
    provider("stripe").refund(payment)
    deliver_new(client, fake_stripe)
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.net) == (3200, 0)
    assert Subscription.objects.get(user=reader).status() == Subscription.Status.ACTIVE


def test_switching_to_monthly_at_stripe_charges_nothing_now_and_renews_monthly_from_the_end(
    client, reader, subscribed, monthly, fake_stripe
):
    """A price of another interval set on the subscription itself would start a new period
    at Stripe and charge it at once: the switch is scheduled for the end of the paid year."""
    ends = subscribed.entitlement.ends_at
    invoices = len(fake_stripe.client.v1.invoices.list({"limit": 100}).data)
    switch = f"/billing/subscriptions/{subscribed.pk}/switch/"
    client.post(switch, {"price": monthly.pk})
    deliver_new(client, fake_stripe)
    assert len(fake_stripe.client.v1.invoices.list({"limit": 100}).data) == invoices
    subscribed.refresh_from_db()
    assert (subscribed.price.interval, subscribed.renewal_price) == ("year", monthly)
    assert Subscription.objects.get(user=reader).ends_at == ends
    at_stripe = fake_stripe.client.v1.subscriptions.retrieve(subscribed.external_id)
    phases = fake_stripe.client.v1.subscription_schedules.retrieve(at_stripe.schedule).phases
    assert [phase["items"][0]["price"] for phase in phases] == [
        "price_almanac_yearly", "price_almanac_monthly"
    ]  # fmt: skip
    assert phases[1]["start_date"] == phases[0]["end_date"] == int(ends.timestamp())

    client.post(switch, {"price": subscribed.price.pk})  # changed their mind: yearly after all
    subscribed.refresh_from_db()
    assert subscribed.next_price is None
    assert fake_stripe.client.v1.subscriptions.retrieve(subscribed.external_id).schedule is None


def test_cancelling_after_a_switch_drops_the_switch(client, subscribed, monthly, fake_stripe):
    client.post(f"/billing/subscriptions/{subscribed.pk}/switch/", {"price": monthly.pk})
    client.post(f"/billing/subscriptions/{subscribed.pk}/cancel/", {"reason": "Other"})
    subscribed.refresh_from_db()
    assert subscribed.cancel_at_period_end and subscribed.next_price is None


def test_a_gift_redeemed_by_a_stripe_subscriber_puts_their_next_charge_after_the_gift_year(
    client, reader, subscribed, yearly, monthly, fake_stripe
):
    code = gifts.new_code()
    GiftSubscription.objects.create(
        buyer=make_user(), price=yearly, recipient_email=reader.email, deliver_on=date.today(),
        paid_at=timezone.now(), delivered_at=timezone.now(),
        code_hash=gifts.code_hash(gifts.normalised(code)),
    )  # fmt: skip
    client.post(f"/billing/subscriptions/{subscribed.pk}/switch/", {"price": monthly.pk})
    invoices = len(fake_stripe.client.v1.invoices.list({"limit": 100}).data)
    client.post("/gift/redeem/", {"code": code})
    deliver_new(client, fake_stripe)
    gift = Subscription.objects.get(user=reader, source=Subscription.Source.GIFT)
    at_stripe = fake_stripe.client.v1.subscriptions.retrieve(subscribed.external_id)
    assert (at_stripe.status, at_stripe.trial_end) == ("trialing", int(gift.ends_at.timestamp()))
    assert at_stripe.schedule is None  # the pending switch dropped: it would end the gift
    subscribed.refresh_from_db()
    assert (subscribed.status, subscribed.trial_end) == ("trialing", gift.ends_at)
    assert subscribed.next_price is None
    assert len(fake_stripe.client.v1.invoices.list({"limit": 100}).data) == invoices


def test_the_portal_button_leads_to_stripes_billing_portal(client, subscribed, fake_stripe):
    response = client.post("/billing/portal/")
    assert response.status_code == HTTPStatus.SEE_OTHER
    customer = Customer.objects.get().external_id
    assert response.url == f"{fake_stripe.url}/_config/fake/portal/{customer}"


def test_stripe_itself_posts_signed_webhooks_that_the_site_acts_on(
    live_server, settings, reader, at_stripe, fake_stripe
):
    settings.SITE_URL = live_server.url
    fake_stripe.request("POST", "/_config/webhooks/site", {
        "url": live_server.url + WEBHOOK, "secret": SECRET,
        "events": ["checkout.session.completed"],
    })  # fmt: skip
    try:
        from django.test import Client

        client = Client()
        client.force_login(reader)
        fake_stripe.pay(start_paying(client, at_stripe))  # the reader never comes back
        deadline = time.monotonic() + 10
        while not Subscription.objects.filter(user=reader).exists():
            assert time.monotonic() < deadline, "no webhook arrived"
            time.sleep(0.1)
    finally:
        fake_stripe.request("DELETE", "/_config/webhooks/site")
    event = WebhookEvent.objects.get()
    assert event.type == "checkout.session.completed" and event.processed_at
