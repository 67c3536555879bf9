"""Starting to pay: one checkout per reader and price at a time, never a second subscription.

The reader's row is locked while a checkout is chosen, so two tabs or a double click wait for
each other; the second finds the first's checkout open and is sent to the same one (a provider
completes a checkout once). A reader whose subscriptions already cover everything a plan gives
is told so, not charged again.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from billing.models import CheckoutAttempt, Customer
from magazine.site import absolute_url
from paywall.models import Subscription

# How long an open checkout is offered again rather than a new one started.
REUSE_FOR = timedelta(hours=1)


class AlreadySubscribed(Exception):
    """The reader can already read everything the plan gives (`.until`, when it ends)."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until


def covering_until(user, plan, *, now):
    """When `user`'s paid access to every publication of `plan` ends (the last day paid for,
    not the grace days after), or None if some publication is not covered."""
    wanted = {publication.pk for publication in plan.publications.all()}
    covered = {}
    windows = Subscription.objects.active(now).filter(user=user, plan__publications__in=wanted)
    for publication, ends_at in windows.values_list("plan__publications", "ends_at"):
        covered[publication] = max(ends_at, covered.get(publication, ends_at))
    if not wanted or set(covered) != wanted:
        return None
    return min(covered.values())


class PaidElsewhere(Exception):
    """The reader has just paid another checkout for this plan (another tab), which is not
    synced yet: its return page, not a new checkout."""

    def __init__(self, attempt):
        super().__init__(f"Checkout {attempt.pk} is paid")
        self.attempt = attempt


def expire_other_choices(provider, user, plan):
    """Close the reader's open checkouts for another price of `plan` (another tab, an earlier
    choice): only the latest choice can be paid, so two tabs never make two subscriptions."""
    others = CheckoutAttempt.objects.filter(
        user=user, price__plan=plan, kind=CheckoutAttempt.Kind.SUBSCRIPTION,
        provider=provider.name, status=CheckoutAttempt.Status.OPEN,
    )  # fmt: skip
    expire(provider, others)


def expire(provider, attempts):
    """Close the open checkouts `attempts` at the provider, so that none of them can be paid any
    more. Raises PaidElsewhere for one that was paid meanwhile (nothing is closed after it)."""
    for attempt in attempts.exclude(external_id=""):
        if not provider.expire_checkout(attempt.external_id):
            raise PaidElsewhere(attempt)
        attempt.status = CheckoutAttempt.Status.EXPIRED
        attempt.save(update_fields=["status"])


def customer_for(provider, user):
    """The reader as the provider knows them, created there the first time (before checkout,
    so that the provider never makes two customers of one reader)."""
    customer = Customer.objects.filter(provider=provider.name, user=user, deleted=False).first()
    if customer is None:
        customer = Customer.objects.create(
            provider=provider.name, user=user, external_id=provider.create_customer(user)
        )
    return customer


@transaction.atomic
def start_checkout(provider, *, user, price, kind=CheckoutAttempt.Kind.SUBSCRIPTION,
                   next_path="", now=None):  # fmt: skip
    """The checkout the reader should go to now (an open one for the same choice, or a new one).
    Raises AlreadySubscribed, or the provider's ProviderError."""
    now = now or timezone.now()
    get_user_model().objects.select_for_update().get(pk=user.pk)
    if kind == CheckoutAttempt.Kind.SUBSCRIPTION:
        until = covering_until(user, price.plan, now=now)
        if until is not None:
            raise AlreadySubscribed(until)
        reusable = CheckoutAttempt.objects.filter(
            user=user, price=price, kind=kind, provider=provider.name,
            status=CheckoutAttempt.Status.OPEN, created_at__gte=now - REUSE_FOR,
        ).exclude(url="").first()  # fmt: skip
        if reusable is not None:
            return reusable
        expire_other_choices(provider, user, price.plan)
    attempt = CheckoutAttempt.objects.create(
        user=user, price=price, kind=kind, provider=provider.name, next_path=next_path,
        created_at=now,
    )  # fmt: skip
    return open_checkout(provider, attempt)


def open_checkout(provider, attempt):
    """Open the provider's checkout for `attempt` (ours, already saved with what it sells), with
    the way back here whether the reader pays or not."""
    success = absolute_url(reverse("billing:return")) + "?attempt=" + str(attempt.pk)
    cancel = absolute_url(reverse("billing:cancelled")) + "?attempt=" + str(attempt.pk)
    attempt.external_id, attempt.url = provider.start_checkout(
        attempt,
        customer_for(provider, attempt.user).external_id,
        success_url=success,
        cancel_url=cancel,
    )
    attempt.save(update_fields=["external_id", "url"])
    return attempt
