"""Billing in the admin, as staff use it: prices on a plan's page, refunds, payments by cheque,
the test provider's passing of time, failed events, gifts, and rows nobody writes by hand."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from billing import events, gifts
from billing.checkout import start_checkout
from billing.models import GiftSubscription, PaidSubscription, Payment, Price, WebhookEvent
from billing.providers.test import TestProvider
from paywall.models import Subscription
from tests.factories import HIDDEN, make_user

pytestmark = pytest.mark.django_db

Status = PaidSubscription.Status
SUBSCRIPTIONS = reverse("admin:billing_paidsubscription_changelist")
PAYMENTS = reverse("admin:billing_payment_changelist")
RECORD = reverse("admin:billing_record_payment")


@pytest.fixture
def staff(db):
    return make_user("boss@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def buy(reader, price):
    """`reader` subscribes to `price` with the test provider; its events are processed."""
    at = TestProvider()
    with TestCase.captureOnCommitCallbacks(execute=True):
        attempt = start_checkout(at, user=reader, price=price)
        at.pay(attempt.external_id, succeed=True)
    return PaidSubscription.objects.get(customer__user=reader, price=price)


def act(client, url, action, rows, **extra):
    """Run the list's `action` on `rows`, with the provider's events processed."""
    data = {"action": action, "_selected_action": [row.pk for row in rows], **extra}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data, follow=True)


def reads(user, article):
    """Whether `user` reads `article` whole (in a browser of their own)."""
    client = Client()
    client.force_login(user)
    return HIDDEN in client.get(article.get_absolute_url()).content.decode()


# Prices on the plan's page ---------------------------------------------------------------------


def plan_form(plan, *prices):
    """The plan's change form as posted, with `prices` (dicts of the inline's fields)."""
    data = {
        "name": plan.name,
        "slug": plan.slug,
        "publications": [p.pk for p in plan.publications.all()],
        "description": plan.description,
        "price_text": plan.price_text,
        "is_offered": "on",
        "prices-TOTAL_FORMS": len(prices),
        "prices-INITIAL_FORMS": sum(1 for price in prices if price.get("id")),
    }
    for n, price in enumerate(prices):
        for name, value in {"plan": plan.pk, "trial_days": 0, "active": "on", **price}.items():
            if value is not None:
                data[f"prices-{n}-{name}"] = value
    return data


def test_editors_give_a_plan_its_prices_in_dollars_and_cents(staff_client, plan):
    url = reverse("admin:paywall_plan_change", args=[plan.pk])
    response = staff_client.post(
        url, plan_form(plan, {"interval": "year", "amount": "32.00", "trial_days": 14})
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    price = Price.objects.get(plan=plan)
    assert (price.amount, price.interval, price.trial_days) == (3200, "year", 14)
    assert 'value="32.00"' in staff_client.get(url).content.decode()
    plans = staff_client.get(reverse("admin:paywall_plan_changelist")).content.decode()
    assert "$32 a year" in plans


@pytest.mark.parametrize(
    ("amount", "error"),
    [("0", "greater than or equal to 0.01"), ("-4", "greater than or equal to 0.01"),
     ("4.505", "no more than 2 decimal places")],
)  # fmt: skip
def test_a_price_of_nothing_or_of_fractions_of_a_cent_is_refused_on_the_form(
    staff_client, plan, amount, error
):
    url = reverse("admin:paywall_plan_change", args=[plan.pk])
    response = staff_client.post(url, plan_form(plan, {"interval": "month", "amount": amount}))
    assert response.status_code == HTTPStatus.OK
    assert error in response.content.decode()
    assert not Price.objects.exists()


def test_two_active_monthly_prices_for_a_plan_are_a_form_error(staff_client, plan, monthly):
    url = reverse("admin:paywall_plan_change", args=[plan.pk])
    kept = {"id": monthly.pk, "interval": "month", "amount": "4.00"}
    for prices in ([kept, {"interval": "month", "amount": "5.00"}],
                   [{"interval": "month", "amount": "5.00"}] * 2):  # fmt: skip
        response = staff_client.post(url, plan_form(plan, *prices))
        assert response.status_code == HTTPStatus.OK
        assert "The plan has another active monthly price" in response.content.decode()
    assert list(Price.objects.values_list("amount", flat=True)) == [400]


def test_a_new_price_replaces_the_old_one_archived_in_the_same_save(staff_client, plan, monthly):
    buy(make_user(), monthly)
    url = reverse("admin:paywall_plan_change", args=[plan.pk])
    old = {"id": monthly.pk, "interval": "month", "amount": "4.00", "active": None}
    response = staff_client.post(url, plan_form(plan, old, {"interval": "month", "amount": "5"}))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    assert set(Price.objects.values_list("amount", "active")) == {(400, False), (500, True)}


def test_a_price_readers_bought_is_archived_rather_than_repriced(staff_client, plan, monthly):
    buy(make_user(), monthly)
    url = reverse("admin:paywall_plan_change", args=[plan.pk])
    response = staff_client.post(
        url, plan_form(plan, {"id": monthly.pk, "interval": "month", "amount": "5.00"})
    )
    assert "Readers have bought this price" in response.content.decode()
    monthly.refresh_from_db()
    assert monthly.amount == 400


# Rows the provider owns ------------------------------------------------------------------------


def test_nobody_adds_deletes_or_edits_the_providers_rows_by_hand(staff_client, reader, yearly):
    paid = buy(reader, yearly)
    payment = Payment.objects.get()
    rows = {"paidsubscription": paid, "payment": payment, "customer": paid.customer,
            "webhookevent": WebhookEvent.objects.first()}  # fmt: skip
    for model, row in rows.items():
        assert staff_client.get(reverse(f"admin:billing_{model}_add")).status_code == 403
        delete = reverse(f"admin:billing_{model}_delete", args=[row.pk])
        assert staff_client.post(delete, {"post": "yes"}).status_code == 403
        change = reverse(f"admin:billing_{model}_change", args=[row.pk])
        page = staff_client.get(change)
        assert page.status_code == HTTPStatus.OK and 'name="_save"' not in page.content.decode()
        assert staff_client.post(change, {}).status_code == 403
    assert PaidSubscription.objects.get().status == Status.ACTIVE


def test_staff_find_paid_subscriptions_by_email_or_provider_id_and_filter_them(
    staff_client, yearly
):
    hen, goat = buy(make_user("hen@example.com"), yearly), buy(make_user("goat@x.com"), yearly)
    by_email = staff_client.get(SUBSCRIPTIONS, {"q": "hen@"}).content.decode()
    assert "hen@example.com" in by_email and "goat@x.com" not in by_email
    by_id = staff_client.get(SUBSCRIPTIONS, {"q": goat.external_id}).content.decode()
    assert "goat@x.com" in by_id and "hen@example.com" not in by_id
    PaidSubscription.objects.filter(pk=hen.pk).update(status=Status.PAST_DUE)
    past_due = staff_client.get(SUBSCRIPTIONS, {"status__exact": "past_due"}).content.decode()
    assert "hen@example.com" in past_due and "goat@x.com" not in past_due


# Refunds ---------------------------------------------------------------------------------------


def test_a_refund_shows_on_the_payment_and_in_the_readers_account(
    staff_client, client, reader, yearly
):
    buy(reader, yearly)
    payment = Payment.objects.get()
    asked = staff_client.post(PAYMENTS, {"action": "refund", "_selected_action": [payment.pk]})
    assert "$32 from reader@example.com" in asked.content.decode()  # asked to confirm first
    assert Payment.objects.get().amount_refunded == 0
    done = act(staff_client, PAYMENTS, "refund", [payment], confirm="Yes")
    assert "1 payment(s) refunded." in done.content.decode()
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (3200, Payment.Status.PAID)
    assert payment.refunded_at is not None
    assert '<td class="field-refunded">$32</td>' in staff_client.get(PAYMENTS).content.decode()
    client.force_login(reader)
    account = client.get(reverse("account_overview")).content.decode()
    assert "$32 ($32 refunded)" in account and "<td>Refunded" in account
    refunds = [m for m in mail.outbox if m.subject.startswith("Your refund")]
    assert [(m.to, m.subject) for m in refunds] == [
        (["reader@example.com"], "Your refund: $32 for Homestead Almanac subscription")
    ]


def test_an_unpaid_or_refunded_payment_is_not_refunded_again(staff_client, reader, yearly):
    buy(reader, yearly)
    payment = Payment.objects.get()
    act(staff_client, PAYMENTS, "refund", [payment], confirm="Yes")
    again = act(staff_client, PAYMENTS, "refund", [payment], confirm="Yes")
    assert "not refunded: it is refunded already." in again.content.decode()
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED, amount_refunded=0)
    failed = act(staff_client, PAYMENTS, "refund", [payment], confirm="Yes")
    assert "not refunded: it was not paid." in failed.content.decode()
    assert Payment.objects.get().amount_refunded == 0


# The test provider's passing of time -----------------------------------------------------------


def test_a_simulated_renewal_extends_what_the_reader_may_read(staff_client, reader, yearly):
    paid = buy(reader, yearly)
    ends = paid.entitlement.ends_at
    page = act(staff_client, SUBSCRIPTIONS, "simulate_renewal_paid", [paid])
    assert "1 renewed and paid." in page.content.decode()
    paid.refresh_from_db()
    assert paid.entitlement.ends_at == paid.current_period_end > ends + timedelta(days=364)
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 2


def test_a_failed_renewal_is_past_due_and_the_reader_reads_on_through_the_grace_period(
    staff_client, staff, reader, yearly, locked_article
):
    paid = buy(reader, yearly)
    with time_machine.travel(paid.current_period_end + timedelta(days=1)):
        staff_client.force_login(staff)  # a year on: a new session
        act(staff_client, SUBSCRIPTIONS, "simulate_renewal_failed", [paid])
        paid.refresh_from_db()
        assert paid.status == Status.PAST_DUE
        assert Payment.objects.filter(status=Payment.Status.FAILED).count() == 1
        assert any("did not go through" in m.subject for m in mail.outbox)
        assert reads(reader, locked_article)
    with time_machine.travel(paid.current_period_end + timedelta(days=8)):
        assert not reads(reader, locked_article)  # the grace period is a week


def test_a_paid_retry_makes_it_active_and_a_last_failed_one_ends_it(
    staff_client, reader, yearly, locked_article
):
    paid, other = buy(reader, yearly), buy(make_user(), yearly)
    act(staff_client, SUBSCRIPTIONS, "simulate_renewal_failed", [paid, other])
    act(staff_client, SUBSCRIPTIONS, "simulate_retry_paid", [paid])
    paid.refresh_from_db()
    assert paid.status == Status.ACTIVE
    assert paid.entitlement.ends_at == paid.current_period_end
    refused = act(staff_client, SUBSCRIPTIONS, "simulate_last_retry_failed", [paid])
    assert "Only a past-due subscription has a last retry to fail." in refused.content.decode()
    act(staff_client, SUBSCRIPTIONS, "simulate_last_retry_failed", [other])
    other.refresh_from_db()
    assert other.status == Status.CANCELED
    assert not reads(other.customer.user, locked_article)
    assert reads(reader, locked_article)


def test_time_passes_only_for_the_test_providers_subscriptions(
    staff_client, settings, reader, yearly
):
    paid = buy(reader, yearly)
    settings.BILLING_PROVIDER = "manual"
    assert "simulate_renewal_paid" not in staff_client.get(SUBSCRIPTIONS).content.decode()
    page = act(staff_client, SUBSCRIPTIONS, "simulate_renewal_paid", [paid])
    assert "renewed and paid" not in page.content.decode()
    assert Payment.objects.count() == 1


# Payments by cheque or phone -------------------------------------------------------------------


def record(client, **fields):
    data = {"email": "reader@example.com", "paid_on": timezone.localdate().isoformat(),
            "method": "Cheque no. 1042", **fields}  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(RECORD, data, follow=True)


def test_a_cheque_recorded_by_staff_lets_the_reader_read_at_once(
    staff_client, reader, yearly, locked_article
):
    assert not reads(reader, locked_article)
    page = record(staff_client, price=yearly.pk)
    assert "Recorded $32 from reader@example.com (Cheque no. 1042)" in page.content.decode()
    assert reads(reader, locked_article)
    payment = Payment.objects.get()
    assert (payment.provider, payment.method, payment.amount) == ("manual", "Cheque no. 1042", 3200)
    ends = Subscription.objects.get(user=reader).ends_at
    record(staff_client, price=yearly.pk, method="Cheque no. 1077")  # the next year
    assert PaidSubscription.objects.count() == 1
    assert Subscription.objects.get(user=reader).ends_at > ends + timedelta(days=364)


@pytest.mark.parametrize(
    ("fields", "error"),
    [({"email": "nobody@example.com"}, "No reader has this address"),
     ({"paid_on": "2999-01-01"}, "That day has not come")],
)  # fmt: skip
def test_a_cheque_for_no_reader_or_from_the_future_is_refused(
    staff_client, reader, yearly, fields, error
):
    page = record(staff_client, price=yearly.pk, **fields)
    assert error in page.content.decode()
    assert not Payment.objects.exists()


def test_only_staff_who_may_add_payments_record_them(client, reader, yearly):
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(clerk)
    assert client.get(RECORD).status_code == HTTPStatus.FORBIDDEN
    assert "Record a payment" not in client.get(PAYMENTS).content.decode()
    clerk.user_permissions.add(Permission.objects.get(codename="add_payment"))
    assert client.get(RECORD).status_code == HTTPStatus.OK


# Failed events, gifts --------------------------------------------------------------------------


def test_a_failed_event_is_processed_again_once_its_cause_is_gone(
    staff_client, monkeypatch, reader, yearly
):
    paid = buy(reader, yearly)

    def broken(provider, event):
        raise RuntimeError("the database was away")

    monkeypatch.setitem(events.HANDLERS, "customer.updated", broken)
    with TestCase.captureOnCommitCallbacks(execute=True):
        TestProvider().change_card(paid.customer.external_id)
    failed = WebhookEvent.objects.get(type="customer.updated")
    assert failed.processed_at is None and "the database was away" in failed.error
    listed = staff_client.get(reverse("admin:billing_webhookevent_changelist"), {"error": "yes"})
    assert failed.object_id in listed.content.decode()
    monkeypatch.undo()
    url = reverse("admin:billing_webhookevent_changelist")
    done = act(staff_client, url, "process_again", WebhookEvent.objects.all())
    assert "1 event(s) processed." in done.content.decode()
    assert "event(s) had not failed: left alone." in done.content.decode()
    paid.customer.refresh_from_db()
    assert paid.customer.payment_method == "Mastercard ending 4444"


def test_a_gift_is_emailed_again_with_a_new_code_and_the_old_one_stops_working(
    staff_client, reader, yearly
):
    gift = GiftSubscription.objects.create(
        buyer=make_user(), price=yearly, recipient_email="friend@example.com",
        deliver_on=timezone.localdate() - timedelta(days=1), paid_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=365),
    )  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        gifts.deliver(gift.pk)
    old_hash = GiftSubscription.objects.get().code_hash
    mail.outbox.clear()
    url = reverse("admin:billing_giftsubscription_changelist")
    done = act(staff_client, url, "email_again", [gift])
    assert "1 gift(s) emailed again" in done.content.decode()
    assert [m.to for m in mail.outbox] == [["friend@example.com"]]
    assert GiftSubscription.objects.get().code_hash not in (old_hash, None)
