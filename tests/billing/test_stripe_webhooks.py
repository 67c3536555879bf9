"""Stripe's webhooks: only events signed with our secret are taken, each once; one that fails is
kept and taken again. Then the life of a subscription in the current API's shapes (what the fake
Stripe cannot do): a trial, renewals paid and failed, retries, the end, a plan switch."""

import copy
import json
import time
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.core import mail

from billing.models import CheckoutAttempt, Customer, PaidSubscription, Payment, WebhookEvent
from paywall.models import Subscription
from tests.billing.stripe_objects import StripeAccount, a_year_after, sent_to_checkout
from tests.billing.stripe_support import KEY, WEBHOOK, deliver, post_event, signature
from tests.servers import free_port

Status = PaidSubscription.Status
Access = Subscription.Status
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
T1 = a_year_after(T0)
T2 = a_year_after(T1)


@pytest.fixture
def account(stripe_stub, reader, yearly):
    return sent_to_checkout(stripe_stub, reader, yearly)


def subjects():
    return [message.subject for message in mail.outbox]


def entitlement():
    return Subscription.objects.get()


# The endpoint ---------------------------------------------------------------------------------


def test_the_webhook_takes_posts_only(client):
    assert client.get(WEBHOOK).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def refused(client, settings, event, how):
    payload = json.dumps(event)
    headers = {"HTTP_STRIPE_SIGNATURE": signature(payload)}
    if how == "unsigned":
        headers = {}
    elif how == "signed with another secret":
        headers["HTTP_STRIPE_SIGNATURE"] = signature(payload, secret="whsec_someone_else")
    elif how == "changed after signing":
        payload = payload.replace('"livemode": false', '"livemode": true')
    elif how == "signed more than five minutes ago":
        headers["HTTP_STRIPE_SIGNATURE"] = signature(payload, at=int(time.time()) - 301)
    elif how == "with no secret set up here":
        settings.STRIPE_WEBHOOK_SECRET = ""
        headers["HTTP_STRIPE_SIGNATURE"] = signature(payload, secret="")
    return client.post(WEBHOOK, payload, content_type="application/json", **headers)


@pytest.mark.parametrize(
    "how",
    ["unsigned", "signed with another secret", "changed after signing",
     "signed more than five minutes ago", "with no secret set up here"],
)  # fmt: skip
def test_an_event_not_signed_with_our_secret_is_refused_and_nothing_kept(
    client, settings, account, how
):
    completed = account.checkout(T0)[-1]
    response = refused(client, settings, completed, how)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not WebhookEvent.objects.exists() and not PaidSubscription.objects.exists()
    assert account.stub.requests == []  # not even a question asked of Stripe


def test_an_event_delivered_twice_acts_once(client, account):
    invoice_paid = account.checkout(T0)[1]
    assert post_event(client, invoice_paid).content == b"processed"
    asked = len(account.stub.requests)
    assert post_event(client, invoice_paid).content == b"duplicate"
    assert len(account.stub.requests) == asked
    assert WebhookEvent.objects.count() == 1 and Payment.objects.count() == 1
    assert subjects() == ["Your receipt: $32 for Homestead Almanac subscription"]


def test_each_event_of_a_checkout_stays_within_its_query_budget(
    client, account, django_assert_max_num_queries
):
    """The webhook row of `make bench` depends on it: the first event about a subscription
    records it whole, the others find little to do, a duplicate nothing."""
    subscription_created, invoice_paid, payment_succeeded, completed = account.checkout(T0)
    # The first includes sending the receipt, at once in the tests (checking the suppression list).
    budgets = [(invoice_paid, 33), (subscription_created, 15), (payment_succeeded, 12),
               (completed, 17), (invoice_paid, 4)]  # fmt: skip
    for event, budget in budgets:
        with django_assert_max_num_queries(budget):
            assert post_event(client, event).status_code == HTTPStatus.OK


def test_an_event_of_a_type_not_handled_is_kept_and_answered_without_acting(client, account):
    account.checkout(T0)
    created = account.event("invoice.created", account.subscription["latest_invoice"], T0)
    assert post_event(client, created).content == b"ignored"
    assert WebhookEvent.objects.get().type == "invoice.created"
    assert account.stub.requests == [] and not Payment.objects.exists()


def test_an_event_that_fails_is_kept_with_its_error_and_its_redelivery_acts(
    client, settings, reader, account
):
    completed = account.checkout(T0)[-1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # Stripe out of reach
    assert post_event(client, completed).status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    kept = WebhookEvent.objects.get()
    assert kept.processed_at is None and "ProviderError" in kept.error
    assert not PaidSubscription.objects.exists()

    settings.STRIPE_API_BASE = account.stub.url  # Stripe sends it again, and is reachable
    assert post_event(client, completed).content == b"processed"
    kept.refresh_from_db()
    assert kept.processed_at and kept.error == ""
    assert entitlement().user == reader


def test_an_event_that_comes_while_the_api_key_is_missing_is_kept_for_its_redelivery(
    client, settings, reader, account
):
    completed = account.checkout(T0)[-1]
    settings.STRIPE_SECRET_KEY = ""  # signed with our secret, but nothing to fetch it with
    assert post_event(client, completed).status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "STRIPE_SECRET_KEY" in WebhookEvent.objects.get().error
    settings.STRIPE_SECRET_KEY = KEY
    assert post_event(client, completed).content == b"processed"
    assert entitlement().user == reader


def test_an_event_failing_half_way_writes_nothing_of_it(client, account):
    completed = account.checkout(T0)[-1]
    subscription = account.stub.objects.pop("sub_1")  # Stripe answers the session, not the rest
    assert post_event(client, completed).status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert CheckoutAttempt.objects.get().status == CheckoutAttempt.Status.OPEN
    assert WebhookEvent.objects.get().error
    account.stub.add(subscription)
    assert post_event(client, completed).content == b"processed"
    assert CheckoutAttempt.objects.get().status == CheckoutAttempt.Status.COMPLETE


# A subscription's life, in the current shapes ---------------------------------------------------


def test_paying_at_checkout_gives_access_to_the_end_of_the_paid_year(client, reader, account):
    deliver(client, account.checkout(T0))
    paid = PaidSubscription.objects.get()
    assert (paid.status, paid.current_period_end, paid.started_at) == (Status.ACTIVE, T1, T0)
    assert (entitlement().starts_at, entitlement().ends_at) == (T0, T1)
    payment = Payment.objects.get()
    assert (payment.period_start, payment.period_end, payment.paid_at) == (T0, T1, T0)
    assert payment.method == "Visa ending 4242" and payment.charge_id == "ch_1"


def test_a_free_trial_gives_access_to_its_end_and_its_first_payment_extends_it(client, account):
    trial_end = T0 + timedelta(days=14)
    deliver(client, account.checkout(T0, trial_days=14))
    paid = PaidSubscription.objects.get()
    assert (paid.status, paid.trial_end) == (Status.TRIALING, trial_end)
    assert (entitlement().starts_at, entitlement().ends_at) == (T0, trial_end)
    deliver(client, [account.event("customer.subscription.trial_will_end", "sub_1", T0)])
    assert "Your free trial of Homestead Almanac subscription ends on 15 March 2025" in subjects()

    deliver(client, account.renew(trial_end))
    assert entitlement().ends_at == a_year_after(trial_end)
    assert PaidSubscription.objects.get().status == Status.ACTIVE
    assert "Your receipt: $32 for Homestead Almanac subscription" in subjects()


def test_a_renewal_paid_a_year_on_extends_access_by_a_year(client, account):
    deliver(client, account.checkout(T0))
    deliver(client, account.renew(T1))
    assert entitlement().ends_at == T2
    assert PaidSubscription.objects.get().current_period_end == T2
    assert sorted(Payment.objects.values_list("period_end", flat=True)) == [T1, T2]
    assert subjects().count("Your receipt: $32 for Homestead Almanac subscription") == 2


def test_a_failed_renewal_keeps_access_through_the_grace_days_and_extends_nothing(
    client, settings, account
):
    grace = timedelta(days=settings.PAYWALL_GRACE_DAYS)
    deliver(client, account.checkout(T0))
    deliver(client, account.renew(T1, paid=False))
    paid = PaidSubscription.objects.get()
    assert (paid.status, paid.current_period_end) == (Status.PAST_DUE, T2)  # Stripe moved on
    assert entitlement().ends_at == T1  # we did not: nothing was paid
    assert entitlement().status(at=T1 + grace - timedelta(hours=1)) == Access.GRACE
    assert entitlement().status(at=T1 + grace + timedelta(hours=1)) == Access.EXPIRED
    failed = Payment.objects.get(period_end=T2)
    assert (failed.status, failed.attempts, failed.paid_at) == ("failed", 1, None)

    deliver(client, account.retry(T1 + timedelta(days=3), paid=False))
    assert Payment.objects.get(period_end=T2).attempts == 2
    assert (
        subjects().count("Your payment for Homestead Almanac subscription did not go through") == 2
    )
    deliver(client, account.retry(T1 + timedelta(days=5), paid=True))
    assert entitlement().ends_at == T2
    assert PaidSubscription.objects.get().status == Status.ACTIVE


def test_when_the_last_retry_fails_stripe_ends_the_subscription_and_access_ends_then(
    client, account
):
    given_up = T1 + timedelta(days=5)
    deliver(client, account.checkout(T0))
    deliver(client, account.renew(T1, paid=False))
    deliver(client, account.give_up(given_up))
    paid = PaidSubscription.objects.get()
    assert (paid.status, paid.ended_at) == (Status.CANCELED, given_up)
    assert (entitlement().ends_at, entitlement().cancelled_at) == (T1, given_up)
    assert entitlement().status(at=given_up - timedelta(hours=1)) == Access.GRACE
    assert entitlement().status(at=given_up) == Access.CANCELLED
    assert subjects().count("Homestead Almanac subscription has ended") == 1


def test_cancelling_at_period_end_keeps_access_to_it_and_the_end_stops_it_there(client, account):
    deliver(client, account.checkout(T0))
    deliver(client, account.cancel_at_period_end(T0 + timedelta(days=40)))
    paid = PaidSubscription.objects.get()
    assert paid.cancel_at_period_end and paid.cancel_reason == "Too expensive"
    assert entitlement().cancelled_at is None
    deliver(client, account.end(T1))
    assert (entitlement().ends_at, entitlement().cancelled_at) == (T1, T1)  # no grace after


def test_a_plan_switch_in_the_portal_moves_access_to_the_new_plan_and_records_the_proration(
    client, account, bundle, bundle_yearly
):
    bundle_yearly.stripe_price_id = "price_bundle_yearly"
    bundle_yearly.save()
    deliver(client, account.checkout(T0))
    switched = T0 + timedelta(days=100)
    deliver(client, account.switch(switched, bundle_yearly, amount=6000, credit=2323, debit=4356))
    paid = PaidSubscription.objects.get()
    assert paid.price == bundle_yearly  # Stripe's price wins over the checkout's metadata
    assert (entitlement().plan, entitlement().ends_at) == (bundle, T1)
    proration = Payment.objects.get(period_start=switched)
    assert (proration.amount, proration.period_end, proration.status) == (2033, T1, "paid")


def test_a_renewal_carrying_an_earlier_proration_extends_access_by_its_own_period(client, account):
    deliver(client, account.checkout(T0))
    changed = T0 + timedelta(days=100)
    prorations = [account.line(-2323, changed, T1, proration=True),
                  account.line(2500, changed, T1, proration=True)]  # fmt: skip
    deliver(client, account.renew(T1, extra_lines=prorations))  # prorations come first
    assert entitlement().ends_at == T2
    assert Payment.objects.get(amount=3377).period_end == T2


def test_a_refund_is_recorded_on_its_payment_even_before_the_payment_was_known(client, account):
    events = account.checkout(T0)
    refunded = account.refund(T0 + timedelta(days=2), "in_1")
    deliver(client, refunded)  # before any other event, and without the return page
    payment = Payment.objects.get()
    assert (payment.amount, payment.amount_refunded, payment.net) == (3200, 3200, 0)
    deliver(client, events)
    assert Payment.objects.get().amount_refunded == 3200


def test_each_refund_is_emailed_for_its_own_amount(client, account):
    deliver(client, account.checkout(T0))
    charge = account.stub.objects["ch_1"]
    charge.update(amount_refunded=1000)
    deliver(client, [account.event("charge.refunded", "ch_1", T0 + timedelta(days=1))])
    charge.update(amount_refunded=3200, refunded=True)
    deliver(client, [account.event("charge.refunded", "ch_1", T0 + timedelta(days=2))])
    assert [s for s in subjects() if s.startswith("Your refund")] == [
        "Your refund: $10 for Homestead Almanac subscription",
        "Your refund: $22 for Homestead Almanac subscription",
    ]
    assert Payment.objects.get().status_text == "Refunded"


def test_the_endpoint_takes_stripe_events_whatever_provider_sells_new_subscriptions(
    client, settings, reader, account
):
    events = account.checkout(T0)
    settings.BILLING_PROVIDER = "manual"  # e.g. moved to cheques; Stripe still sends events
    assert [post_event(client, event).content for event in events] == [b"processed"] * 4
    assert entitlement().user == reader


def test_a_disputed_payment_is_marked_and_staff_are_told_once(client, account):
    deliver(client, account.checkout(T0))
    account.stub.add(
        {"id": "dp_1", "object": "dispute", "charge": "ch_1", "status": "needs_response"}
    )
    disputed = account.event("charge.dispute.created", "dp_1", T0 + timedelta(days=9))
    deliver(client, [disputed, disputed])
    assert Payment.objects.get().disputed
    told = [m for m in mail.outbox if m.subject.startswith("A payment is disputed")]
    assert [m.to for m in told] == [["staff@example.com"]]


def test_a_payment_the_bank_wants_confirmed_sends_the_reader_to_the_invoice(client, account):
    deliver(client, account.checkout(T0))
    failed = account.renew(T1, paid=False)
    invoice = failed[0]["data"]["object"]["id"]
    deliver(client, [*failed, account.event("invoice.payment_action_required", invoice, T1)])
    (confirm,) = [m for m in mail.outbox if m.subject == "Your bank asks you to confirm a payment"]
    assert "https://invoice.stripe.com/i/test" in confirm.body
    (fix,) = [m for m in mail.outbox if "did not go through" in m.subject]
    assert "Update your card" in fix.body and "/accounts/#billing" in fix.body


def test_a_customer_deleted_at_stripe_is_not_used_again(client, account):
    deliver(client, account.checkout(T0))
    account.stub.add({"id": "cus_1", "object": "customer", "deleted": True})
    deliver(client, [account.event("customer.deleted", "cus_1", T0 + timedelta(days=3))])
    customer = Customer.objects.get()
    assert (customer.deleted, customer.payment_method) == (True, "")


def test_a_stale_read_landing_after_the_end_does_not_bring_the_subscription_back(client, account):
    deliver(client, account.checkout(T0))
    before_the_end = copy.deepcopy(account.subscription)
    deliver(client, account.end(T0 + timedelta(days=30)))
    account.stub.add(before_the_end)  # a handler that read Stripe just before the end, late
    deliver(client, [account.event("customer.subscription.updated", "sub_1", T0)])
    assert PaidSubscription.objects.get().status == Status.CANCELED
    assert entitlement().cancelled_at == T0 + timedelta(days=30)


def test_an_account_on_an_api_version_before_2025_reads_the_same(
    client, stripe_stub, reader, account
):
    old = StripeAccount(
        stripe_stub, user_id=reader.pk, attempt_id=account.attempt_id, price=account.price,
        old_shapes=True,
    )  # fmt: skip
    deliver(client, old.checkout(T0))
    deliver(client, old.renew(T1))
    assert entitlement().ends_at == T2
    assert PaidSubscription.objects.get().current_period_end == T2
    assert set(Payment.objects.values_list("method", flat=True)) == {"Visa ending 4242"}
