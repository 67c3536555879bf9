"""One issue's digital edition, bought on its own: a reader without a subscription (or whose
subscription does not reach that issue) pays once, through the same checkout a gift takes, and
then reads it as a subscriber would — the paywall's `EditionAccess`, asked by its
`can_read_edition` like every other entitlement. A refund in full takes it back.

Billing sells; it never decides who may read: whether the reader can already read the issue is
the paywall's answer, asked before a checkout is opened.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from billing import emails
from billing.checkout import REUSE_FOR, expire, open_checkout
from billing.models import CheckoutAttempt, EditionOrder, SingleIssuePrice
from billing.providers import provider_class
from magazine.now import start_of_day
from paywall.access import can_read_edition
from paywall.models import EditionAccess
from paywall.readers import reader_for_user


class NotForSale(Exception):
    """This issue's edition cannot be bought on its own (the message is for the reader)."""


class AlreadyReadable(Exception):
    """The reader can already read this issue's edition: nothing to buy."""


def price_for(issue, *, now):
    """What `issue`'s edition costs on its own, or None if it is not sold: no edition, not out
    yet, no single-issue price on sale for its publication, or payments not taken online."""
    if not issue.edition or start_of_day(issue.cover_date) > now:
        return None
    if not provider_class().takes_payments_online:
        return None
    return SingleIssuePrice.objects.filter(publication_id=issue.publication_id, active=True).first()


@transaction.atomic
def buy(provider, *, user, issue, next_path="", now=None):
    """The checkout where `user` pays for `issue`'s edition: the one they opened for it within
    the hour at this price, or a new one (the older ones closed, so that one issue is never paid
    for twice). The reader's row is locked meanwhile, so a double click or a second tab waits,
    then is sent to the same checkout. Raises NotForSale, AlreadyReadable, PaidElsewhere (an
    older checkout was paid meanwhile) or the provider's ProviderError."""
    now = now or timezone.now()
    get_user_model().objects.select_for_update().get(pk=user.pk)
    price = price_for(issue, now=now)
    if price is None:
        raise NotForSale("This issue is not sold on its own.")
    if can_read_edition(reader_for_user(user), issue, now=now):
        raise AlreadyReadable(issue)
    opened = CheckoutAttempt.objects.filter(
        user=user, kind=CheckoutAttempt.Kind.EDITION, provider=provider.name,
        status=CheckoutAttempt.Status.OPEN, edition_order__issue=issue,
    )  # fmt: skip
    reusable = opened.filter(
        created_at__gte=now - REUSE_FOR, edition_order__amount=price.amount,
        edition_order__currency=price.currency,
    ).exclude(url="").first()  # fmt: skip
    if reusable is not None:
        return reusable
    expire(provider, opened)  # older, or at another price: only the newest can be paid
    attempt = CheckoutAttempt.objects.create(
        user=user, kind=CheckoutAttempt.Kind.EDITION, provider=provider.name,
        next_path=next_path, created_at=now,
    )  # fmt: skip
    EditionOrder.objects.create(
        buyer=user, issue=issue, amount=price.amount, currency=price.currency, checkout=attempt
    )
    return open_checkout(provider, attempt)


def paid(attempt_id, payment):
    """The issue bought through checkout `attempt_id` is paid: the buyer holds its edition from
    now (an edition staff gave them becomes theirs as bought). A second paid order for an issue
    already held gives nothing twice, and staff are told to refund it. A payment refunded in
    full takes the edition back. Returns the order (None: the payment was for no single
    issue)."""
    order = (
        EditionOrder.objects.select_for_update(of=("self",))
        .select_related("issue__publication", "buyer")
        .filter(checkout_id=attempt_id)
        .first()
    )
    if order is None:
        return None
    # The buyer's row, locked: every change to what a reader holds waits for the one before
    # (two refunds of orders sharing one edition would otherwise each leave it to the other).
    get_user_model().objects.select_for_update().filter(pk=order.buyer_id).first()
    if order.paid_at is None:
        order.paid_at = payment.paid_at or timezone.now()
        order.payment = payment
        order.access = hold(order, payment)
        order.save(update_fields=["paid_at", "payment", "access"])
    if payment.amount_refunded >= payment.amount and order.refunded_at is None:
        refunded(order)
    return order


def hold(order, payment):
    """The buyer's holding of the order's issue: theirs already, or given now."""
    access = EditionAccess.objects.filter(
        user=order.buyer, issue=order.issue, revoked_at__isnull=True
    ).first()
    if access is None:
        return EditionAccess.objects.create(
            user=order.buyer, issue=order.issue, source=EditionAccess.Source.BOUGHT,
            note=f"Bought on its own ({payment.external_id})",
        )  # fmt: skip
    if access.source != EditionAccess.Source.BOUGHT:  # given by staff while the payment went
        access.source = EditionAccess.Source.BOUGHT
        access.note = f"Bought on its own ({payment.external_id}); {access.note}"[:250]
        access.save(update_fields=["source", "note"])
    elif access.orders.filter(paid_at__isnull=False, refunded_at=None).exists():
        emails.tell_staff(
            f"edition-paid-twice:{payment.provider}:{payment.external_id}",
            subject=f"Refund a second payment for {order.description}",
            body=f"{order.buyer.email} paid again ({payment.external_id}, {order.amount_text}) "
            f"for {order.description}, which they had already bought. Refund that payment: "
            "they keep the issue.",
        )
    return access


def refunded(order):
    """`order` was refunded in full: its edition is no longer the buyer's, unless another paid
    order still gives it."""
    now = timezone.now()
    order.refunded_at = now
    order.save(update_fields=["refunded_at"])
    access = order.access
    if access is None or access.revoked_at is not None:
        return
    others = access.orders.exclude(pk=order.pk).filter(paid_at__isnull=False, refunded_at=None)
    if not others.exists():
        access.revoked_at = now
        access.save(update_fields=["revoked_at"])  # saved, not updated: the reader's cache hears
