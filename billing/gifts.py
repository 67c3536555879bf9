"""Gift subscriptions: a year of a plan, bought for someone else, emailed on its day, redeemed
with its code.

A code is made when the gift is delivered (not when it is bought, so that nothing readable lies
in the database meanwhile) and only its hash is kept: 16 Crockford base-32 characters, 80 random
bits, read back whatever the case and with O for 0 and I or L for 1. Redeeming starts a
subscription, or adds the year after the end of the one the recipient has.
"""

import hashlib
import logging
import re
import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from billing import emails
from billing.checkout import start_checkout
from billing.models import CheckoutAttempt, GiftSubscription, PaidSubscription, period_end
from billing.providers import online_providers
from magazine.site import absolute_url
from paywall.models import Subscription

log = logging.getLogger(__name__)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O or U
CODE_LENGTH = 16  # 16 × 5 = 80 bits
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Gifts are emailed at this hour of their delivery day, in the site's time zone.
DELIVERY_HOUR = 8
UNREDEEMED_FOR = timedelta(days=365)


class CannotRedeem(Exception):
    """Why a code does not give a subscription (the message is for the reader)."""


def new_code():
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalised(text):
    """The code `text` as issued, whatever its case, spaces and dashes; None if it cannot be
    one."""
    code = re.sub(r"[\s-]", "", str(text)).upper().translate(READ_AS)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def code_hash(code):
    return hashlib.sha256(code.encode()).hexdigest()


def delivery_moment(gift):
    return timezone.make_aware(datetime.combine(gift.deliver_on, time(DELIVERY_HOUR)))


@transaction.atomic
def buy(provider, *, buyer, price, recipient_email, recipient_name, message, deliver_on):
    """Start paying for a gift: the gift waits, unpaid, for its checkout to complete."""
    attempt = start_checkout(provider, user=buyer, price=price, kind=CheckoutAttempt.Kind.GIFT)
    GiftSubscription.objects.create(
        buyer=buyer, price=price, recipient_email=recipient_email,
        recipient_name=recipient_name, message=message, deliver_on=deliver_on, checkout=attempt,
    )  # fmt: skip
    return attempt


def paid(attempt_id, payment):
    """The gift bought through checkout `attempt_id` is paid: it goes out on its day. Returns
    the gift (None: the payment was for no gift)."""
    gift = GiftSubscription.objects.select_for_update().select_related("price__plan", "buyer")
    gift = gift.filter(checkout_id=attempt_id).first()
    if gift is None or gift.paid_at is not None:
        return gift
    gift.paid_at = payment.paid_at or timezone.now()
    gift.expires_at = delivery_moment(gift) + UNREDEEMED_FOR
    gift.save(update_fields=["paid_at", "expires_at"])
    emails.gift_bought(gift)
    transaction.on_commit(lambda: schedule(gift))
    return gift


def refunded(attempt_id):
    """The gift bought through checkout `attempt_id` was refunded in full: unless already
    redeemed, it is not sent, and its code (if sent) no longer works."""
    GiftSubscription.objects.filter(
        checkout_id=attempt_id, redeemed_at__isnull=True, refunded_at__isnull=True
    ).update(refunded_at=timezone.now())


def schedule(gift, *, now=None):
    """Queue the gift's delivery for its moment (at once if that has come)."""
    from billing.tasks import deliver_gift

    now = now or timezone.now()
    moment = delivery_moment(gift)
    if moment <= now:
        deliver_gift.enqueue(gift.pk)
    elif default_task_backend.supports_defer:
        deliver_gift.using(run_after=moment).enqueue(gift.pk)
    else:
        log.warning(
            "Gift %s is due on %s, and this task backend cannot wait: "
            "`manage.py deliver_gifts` sends it then.",
            gift.pk,
            gift.deliver_on,
        )


def due(now=None):
    """Paid gifts whose day has come and that have not gone out."""
    now = now or timezone.now()
    waiting = GiftSubscription.objects.filter(
        paid_at__isnull=False, delivered_at__isnull=True, refunded_at__isnull=True,
        deliver_on__lte=timezone.localdate(now),
    )  # fmt: skip
    return [gift for gift in waiting if delivery_moment(gift) <= now]


@transaction.atomic
def deliver(gift_id, *, now=None, again=False):
    """Email the recipient their code, once (`again`: staff resend it with a new code, the old
    one stops working). Returns whether an email went out."""
    now = now or timezone.now()
    gift = GiftSubscription.objects.select_for_update().select_related("price__plan", "buyer")
    gift = gift.get(pk=gift_id)
    if gift.paid_at is None or gift.redeemed_at or gift.refunded_at or delivery_moment(gift) > now:
        return False
    if gift.delivered_at and not again:
        return False
    code = new_code()
    gift.code_hash = code_hash(normalised(code))
    gift.delivered_at = now
    gift.save(update_fields=["code_hash", "delivered_at"])
    emails.gift_arrived(gift, code, redeem_url(code), sent=now)
    return True


def redeem_url(code):
    return absolute_url(reverse("gift_redeem") + "?code=" + code)


@transaction.atomic
def redeem(user, text, *, now=None):
    """Give `user` the gift whose code is `text`: its year, from now or from the end of their
    current subscription to the plan. Returns the new Subscription; CannotRedeem says why not."""
    now = now or timezone.now()
    code = normalised(text)
    gift = None
    if code is not None:
        found = GiftSubscription.objects.select_for_update().select_related("price__plan")
        gift = found.filter(code_hash=code_hash(code)).first()
    if gift is None:
        raise CannotRedeem("That is not a gift code we know. Check it against the email.")
    if gift.redeemed_at is not None:
        if gift.redeemed_by_id == user.pk:
            raise CannotRedeem("You have already redeemed this gift: it is in your account.")
        raise CannotRedeem("This gift has already been redeemed.")
    if gift.refunded_at is not None:
        raise CannotRedeem("This gift was refunded, so its code no longer works.")
    if gift.expires_at and gift.expires_at <= now:
        raise CannotRedeem("This gift code has expired. Ask the person who gave it to contact us.")
    plan = gift.price.plan
    latest = (  # current or still to come (another gift redeemed before): the year follows it
        Subscription.objects.not_cancelled(now)
        .filter(user=user, plan=plan, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )
    starts = latest.ends_at if latest else now
    subscription = Subscription.objects.create(
        user=user,
        plan=plan,
        starts_at=starts,
        ends_at=period_end(starts, "year"),
        source=Subscription.Source.GIFT,
        note=f"Gift from {gift.buyer.email}",
    )
    gift.redeemed_by, gift.redeemed_at = user, now
    gift.save(update_fields=["redeemed_by", "redeemed_at"])
    emails.gift_redeemed(gift)
    return subscription


def given_until(user, plan, *, after):
    """The end of the last gift year of `plan` that `user` holds after `after`, if any."""
    gift_years = Subscription.objects.not_cancelled().filter(
        user=user, plan=plan, source=Subscription.Source.GIFT, ends_at__gt=after
    )
    return gift_years.aggregate(until=Max("ends_at"))["until"]


def renewing(user, plan):
    """`user`'s subscriptions to `plan` that renew by themselves (paid by card, not cheque)."""
    return PaidSubscription.objects.filter(
        customer__user=user, price__plan=plan, cancel_at_period_end=False,
        status__in=[PaidSubscription.Status.ACTIVE, PaidSubscription.Status.TRIALING],
        provider__in=online_providers(),
    )  # fmt: skip


def max_delivery_date(today):
    return today + timedelta(days=settings.BILLING_GIFT_MAX_DAYS_AHEAD)
