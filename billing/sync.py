"""Every local write about money, from the provider's state as it is now.

Webhooks arrive at least once and in any order, and the reader's return from checkout races
them. So nothing here acts on what an event says happened: each function fetches the object
from the provider, writes its state whole under a row lock, and derives the entitlement from
what is recorded — access runs to the end of the latest *paid* period (or a trial), and ends
when the provider's subscription has ended. Whatever the order, the same rows result; a second
call changes nothing.
"""

import logging

from django.db import transaction
from django.utils import timezone

from billing import emails, gifts, single_issues
from billing.models import CheckoutAttempt, Customer, PaidSubscription, Payment, Price
from paywall.models import Subscription

log = logging.getLogger(__name__)
Status = PaidSubscription.Status


class UnknownCustomer(Exception):
    """An event about a customer this site has not met, with nothing naming the reader: kept
    with the error, and tried again when the provider sends it again."""


@transaction.atomic(savepoint=False)
def sync_checkout(provider, session_id):
    """Bring a checkout and what it bought up to date: the same call from the webhook and from
    the reader's return, whichever comes first; the second finds nothing to do. All or nothing:
    a checkout is never complete without what it bought (else the reader could pay again)."""
    snapshot = provider.fetch_checkout(session_id)
    attempt = CheckoutAttempt.objects.select_for_update().filter(pk=snapshot.attempt_id).first()
    if attempt is None:
        log.info("Checkout %s is not one of ours", session_id)
        return None
    if snapshot.complete and attempt.status != CheckoutAttempt.Status.COMPLETE:
        attempt.status = CheckoutAttempt.Status.COMPLETE
        attempt.save(update_fields=["status"])
    if snapshot.subscription_id:
        sync_subscription(provider, snapshot.subscription_id)
    if snapshot.payment_id:
        record_payment(provider, provider.fetch_payment(snapshot.payment_id))
    return attempt


def sync_subscription(provider, external_id, *, fetched=None):
    return apply_subscription(provider, provider.fetch_subscription(external_id), fetched=fetched)


@transaction.atomic(savepoint=False)  # within an event's savepoint, one is enough
def apply_subscription(provider, snapshot, *, fetched=None):
    """Write `snapshot` (the provider's subscription as it is now), its latest payment if paid
    and not yet recorded, and its entitlement. `fetched` is a payment of this subscription the
    caller has just fetched: it is recorded too (and not asked of the provider again)."""
    price = Price.objects.select_related("plan").filter(pk=snapshot.price_id).first()
    if price is None:
        log.info("Subscription %s is for no price of ours: left alone", snapshot.external_id)
        return None
    customer = customer_of(provider.name, snapshot.customer_id, snapshot.user_id)
    paid, created = PaidSubscription.objects.select_for_update().get_or_create(
        provider=provider.name,
        external_id=snapshot.external_id,
        defaults={"customer": customer, "price": price, "status": snapshot.status,
                  "started_at": snapshot.started_at},
    )  # fmt: skip
    was = (paid.status, paid.cancel_at_period_end)
    if created:
        was = (None, snapshot.cancel_at_period_end)
    if paid.status not in PaidSubscription.TERMINAL or created:  # an end is never undone
        paid.price = price
        paid.next_price_id = snapshot.next_price_id if snapshot.next_price_id != price.pk else None
        paid.status = snapshot.status
        paid.current_period_end = snapshot.current_period_end
        paid.trial_end = snapshot.trial_end
        if snapshot.cancel_at_period_end != was[1]:  # for the revenue page's cancellations
            paid.renewal_stopped_at = timezone.now() if snapshot.cancel_at_period_end else None
        paid.cancel_at_period_end = snapshot.cancel_at_period_end
        paid.cancel_reason = snapshot.cancel_reason or paid.cancel_reason
        paid.ended_at = snapshot.ended_at
    paid.synced_at = timezone.now()
    paid.save()
    if created:
        warn_of_a_second_subscription(paid)
    if fetched is not None:
        record_payment(provider, fetched, refresh=False)  # refreshed below, once
    latest = snapshot.latest_payment_id
    if (
        latest
        and not (fetched and fetched.external_id == latest)
        and not paid.payments.filter(external_id=latest, status=Payment.Status.PAID).exists()
    ):
        record_payment(provider, provider.fetch_payment(latest), refresh=False)
    paid.entitlement = refresh_entitlement(paid)
    emails.subscription_changed(paid, was=was)
    return paid


@transaction.atomic(savepoint=False)
def record_payment(provider, snapshot, *, refresh=True):
    """Write `snapshot` (an invoice as it is now); a paid one extends its subscription's
    entitlement (`refresh`: unless the caller, syncing the subscription, does it after), a paid
    one-time payment fulfils the gift or the single issue it was for."""
    subscription = None
    if snapshot.subscription_id:
        # The subscription's row is locked before the payment's, the order every sync takes
        # them in: two syncs of one subscription wait for each other, never deadlock.
        subscription = (
            PaidSubscription.objects.select_for_update(of=("self",))
            .filter(provider=provider.name, external_id=snapshot.subscription_id)
            .select_related("customer__user", "price__plan")
            .first()
        )
        if subscription is None:  # its subscription first: the sync records this payment too
            paid = sync_subscription(provider, snapshot.subscription_id, fetched=snapshot)
            return paid and paid.payments.get(external_id=snapshot.external_id)
    customer = (
        subscription.customer
        if subscription
        else customer_of(provider.name, snapshot.customer_id, None)
    )
    payment, created = Payment.objects.select_for_update().get_or_create(
        provider=provider.name,
        external_id=snapshot.external_id,
        defaults={"customer": customer, "status": snapshot.status, "amount": snapshot.amount,
                  "currency": snapshot.currency},
    )  # fmt: skip
    was = None if created else payment.status
    if not (was == Payment.Status.PAID and snapshot.status != Payment.Status.PAID):
        payment.status = snapshot.status  # a paid invoice stays paid, whatever arrives late
    refunded = max(0, snapshot.amount_refunded - payment.amount_refunded)  # this time
    if refunded:
        payment.refunded_at = timezone.now()
    for name in ("amount", "currency", "amount_refunded", "period_start", "period_end",
                 "attempts", "charge_id", "receipt_url", "method"):  # fmt: skip
        setattr(payment, name, getattr(snapshot, name))
    payment.paid_at = payment.paid_at or snapshot.paid_at
    payment.subscription = subscription
    payment.save()
    if subscription is not None and refresh:
        refresh_entitlement(subscription)
    what = None
    if snapshot.attempt_id and payment.status == Payment.Status.PAID:
        what = fulfil(snapshot.attempt_id, payment)
    emails.payment_recorded(payment, was=was, what=what)
    if refunded:
        emails.payment_refunded(payment, refunded, what=what)
    return payment


def fulfil(attempt_id, payment):
    """Give what the one-time payment through checkout `attempt_id` bought — a gift, or a single
    issue — once, and take it back if the payment was refunded in full. Returns how receipts
    name it (None: neither)."""
    gift = gifts.paid(attempt_id, payment)
    if gift is not None:
        if payment.amount_refunded >= payment.amount:
            gifts.refunded(attempt_id)
        return f"a gift of {gift.price.plan.name}"
    order = single_issues.paid(attempt_id, payment)
    return order and order.description


def customer_of(provider_name, external_id, user_id):
    """The local record of the provider's customer `external_id`, made when first seen from the
    reader the checkout named."""
    customer = Customer.objects.filter(provider=provider_name, external_id=external_id).first()
    if customer is not None:
        return customer
    if user_id is None:
        raise UnknownCustomer(f"{provider_name} customer {external_id}")
    customer, _ = Customer.objects.get_or_create(
        provider=provider_name, external_id=external_id, defaults={"user_id": user_id}
    )
    return customer


def access_until(paid):
    """The end of the latest paid period, or of a trial under way; None before either."""
    ends = [
        end
        for end in paid.payments.filter(status=Payment.Status.PAID).values_list(
            "period_end", flat=True
        )
        if end is not None
    ]
    if paid.status == Status.TRIALING and paid.trial_end:
        ends.append(paid.trial_end)
    return max(ends, default=None)


def refresh_entitlement(paid):
    """Keep `paid`'s entitlement (the paywall's Subscription) to what is recorded: it runs to
    `access_until` (never shortened by a late event), and is cancelled when the provider's
    subscription has ended, at the time it ended. Reads the row afresh, under its lock: the
    caller's copy may predate a nested sync."""
    paid = (
        PaidSubscription.objects.select_for_update(of=("self",))
        .select_related("customer__user", "price__plan", "entitlement")
        .get(pk=paid.pk)
    )
    until = access_until(paid)
    ended = paid.ended_at if paid.status in PaidSubscription.TERMINAL else None
    entitlement = paid.entitlement
    if entitlement is None:
        if until is None or until <= paid.started_at:
            return None
        entitlement = Subscription.objects.create(
            user=paid.customer.user,
            plan=paid.price.plan,
            starts_at=paid.started_at,
            ends_at=until,
            cancelled_at=ended,
            source=Subscription.Source.PAID,
            note=f"{paid.provider} {paid.external_id}",
        )
        PaidSubscription.objects.filter(pk=paid.pk).update(entitlement=entitlement)
        paid.entitlement = entitlement
        return entitlement
    changed = {
        "plan_id": paid.price.plan_id,
        "ends_at": max(entitlement.ends_at, until or entitlement.ends_at),
        "cancelled_at": ended,
    }
    if any(getattr(entitlement, name) != value for name, value in changed.items()):
        for name, value in changed.items():
            setattr(entitlement, name, value)
        entitlement.save()
    return entitlement


def warn_of_a_second_subscription(paid):
    """Two live subscriptions to one plan should not happen (checkouts are locked per reader);
    if the provider made one anyway, staff hear of it rather than the reader paying twice
    unseen."""
    others = PaidSubscription.objects.filter(
        customer__user=paid.customer.user_id,
        price__plan=paid.price.plan_id,
        status__in=PaidSubscription.LIVE,
    ).exclude(pk=paid.pk)
    if paid.is_live and others.exists():
        log.error("%s has two live subscriptions to %s", paid.customer.user, paid.price.plan)
        emails.tell_staff(
            f"second-subscription:{paid.provider}:{paid.external_id}",
            subject=f"Two subscriptions to {paid.price.plan} for {paid.customer.user}",
            body=f"{paid.provider} subscription {paid.external_id} duplicates another. "
            "Refund and cancel one of them in the admin.",
        )
