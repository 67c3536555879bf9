"""The reader's billing, as "My account" shows it, and the changes they make to it themselves:
cancel at the end of the period (with a reason), resume before then, switch between monthly and
yearly.

Each change is asked of the provider, then synced at once from what the provider says, the way a
webhook would be: the page shows the new state straight away, and the provider's event, when it
comes, finds nothing left to do.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.utils import timezone

from billing import emails, gifts, sync
from billing.models import GiftSubscription, Interval, PaidSubscription, Payment, Price
from billing.providers import ProviderError, provider, provider_class

Status = PaidSubscription.Status


@dataclass
class Line:
    """One subscription in the billing section."""

    paid: PaidSubscription
    access_ends: object  # when reading stops if nothing changes; None: it renews
    switch_to: Price | None

    @cached_property
    def payment_method(self):
        """The card on file, as the provider last described it, else the one last paid with."""
        if self.paid.customer.payment_method:
            return self.paid.customer.payment_method
        last = self.paid.payments.filter(status=Payment.Status.PAID).exclude(method="").first()
        return last.method if last else ""

    @cached_property
    def gift_year(self):
        """A subscription already paid for, now in the free year a gift gave it (the provider
        counts it as a trial)."""
        return self.paid.status == Status.TRIALING and self.paid.has_paid_before

    @property
    def status_text(self):
        if self.paid.is_live and self.paid.cancel_at_period_end:
            return "Cancelled"
        return "Gift year" if self.gift_year else self.paid.get_status_display()

    @property
    def renews(self):
        return self.paid.is_live and not self.paid.cancel_at_period_end

    @property
    def paid_by_hand(self):
        """Paid by cheque or phone, recorded by staff: nothing to cancel, resume or switch."""
        return not provider_class(self.paid.provider).takes_payments_online

    @property
    def can_cancel(self):
        return self.renews and not self.paid_by_hand

    @property
    def can_switch(self):
        """Only a paid subscription in good standing that will renew: a past-due one must be
        paid first, a cancelled one has no renewal to change, and a trial or gift year runs
        out before its first (or next) price is chosen again."""
        return self.renews and self.paid.status == Status.ACTIVE and not self.paid_by_hand

    @property
    def can_resume(self):
        return (
            self.paid.is_live
            and self.paid.cancel_at_period_end
            and not self.paid_by_hand
            and self.paid.current_period_end
            and self.paid.current_period_end > timezone.now()
        )


def reading_ends(paid):
    """When reading stops if nothing changes. A cancelled renewal stops at the end of the period
    paid for (the provider ends the subscription then, and its entitlement with it), without
    the grace days a failed payment gets."""
    if paid.cancel_at_period_end and paid.status in (Status.ACTIVE, Status.TRIALING):
        return paid.current_period_end
    return paid.entitlement.access_ends_at if paid.entitlement else None


def the_other_price(paid):
    """The plan's active price at the other interval (monthly ↔ yearly), if it has one."""
    other = Interval.YEAR if paid.price.interval == Interval.MONTH else Interval.MONTH
    return Price.objects.filter(plan_id=paid.price.plan_id, interval=other, active=True).first()


def lines_for(user, pk=None):
    """The reader's subscriptions at a provider (or only `pk`, if it is theirs): the live ones,
    then those that ended."""
    subscriptions = (
        PaidSubscription.objects.filter(customer__user=user)
        .exclude(status__in=[Status.INCOMPLETE_EXPIRED, Status.INCOMPLETE])
        .select_related("price__plan", "next_price", "customer", "entitlement")
        .order_by("-started_at")
    )
    if pk is not None:
        subscriptions = subscriptions.filter(pk=pk)
    lines = []
    for paid in subscriptions:
        line = Line(paid=paid, access_ends=reading_ends(paid), switch_to=None)
        if line.can_switch:  # to the other interval; or back, if a switch is pending
            line.switch_to = paid.price if paid.next_price_id else the_other_price(paid)
        lines.append(line)
    return sorted(lines, key=lambda line: not line.paid.is_live)


def line_of(user, pk):
    """The reader's own subscription `pk` as the billing section shows it (None for anyone
    else's): what may be done with it is decided there, once."""
    return next(iter(lines_for(user, pk=pk)), None)


def section(user):
    """What the billing section of "My account" shows."""
    lines = lines_for(user)
    return {
        "lines": lines,
        "payments": Payment.objects.filter(customer__user=user)
        .exclude(status=Payment.Status.OPEN)
        .select_related("subscription__price__plan", "edition_order__issue__publication")[:24],
        "gifts": GiftSubscription.objects.filter(buyer=user, paid_at__isnull=False)
        .select_related("price__plan")
        .order_by("-paid_at"),
        "can_update_card": any(line.paid.is_live and not line.paid_by_hand for line in lines),
    }


def cancel(paid, *, reason=""):
    """Stop the renewal: access runs on to the end of the period paid for."""
    at = provider(paid.provider)
    at.cancel_at_period_end(paid.external_id, reason=reason.strip()[:300])
    return sync.sync_subscription(at, paid.external_id)


def resume(paid):
    """Renew again; after a gift year redeemed meanwhile (the gift follows the paid period),
    from the end of that year."""
    at = provider(paid.provider)
    at.resume(paid.external_id)
    given_until = gifts.given_until(
        paid.customer.user, paid.price.plan, after=paid.current_period_end
    )
    if given_until is not None:
        at.defer_renewal(paid.external_id, until=given_until)
    return sync.sync_subscription(at, paid.external_id)


def switch(paid, price):
    """Renew at `price` (the plan's other interval) from the end of the current period; or
    keep the current price after all (archived or not)."""
    back = price.pk == paid.price_id
    if price.plan_id != paid.price.plan_id or not (price.active or back):
        raise ValueError("Only the same plan, monthly or yearly, can be switched to.")
    at = provider(paid.provider)
    at.switch_price(paid.external_id, price)
    return sync.sync_subscription(at, paid.external_id)


@transaction.atomic
def redeem_gift(user, code):
    """Redeem the gift `code` for `user` (gifts.redeem); if they pay for its plan by a
    subscription that renews by itself, its next charge moves to the end of the gift year, so
    that they never pay for a year given to them (if the provider refuses, the gift is
    redeemed all the same and staff are told to move it by hand). Returns the gift's
    Subscription and the subscriptions deferred."""
    subscription = gifts.redeem(user, code)
    deferred = []
    for paid in gifts.renewing(user, subscription.plan):
        at = provider(paid.provider)
        try:
            at.defer_renewal(paid.external_id, until=subscription.ends_at)
        except ProviderError as error:  # the gift is the reader's all the same
            emails.tell_staff(
                f"defer:{paid.provider}:{paid.external_id}:{subscription.pk}",
                subject=f"Move the next charge of {paid} by hand",
                body=f"{user} redeemed a gift year of {subscription.plan} to "
                f"{subscription.ends_at:%Y-%m-%d}, but {paid.provider} refused to move the next "
                f"charge of subscription {paid.external_id} there ({error}). Move it at the "
                "provider, or refund the renewal that falls in the gift year.",
            )
            continue
        deferred.append(sync.sync_subscription(at, paid.external_id))
    return subscription, deferred


def portal_url(user, return_url):
    """Where the reader updates their card and sees the provider's invoices (None: nowhere)."""
    live = [line.paid for line in lines_for(user) if line.paid.is_live and not line.paid_by_hand]
    if not live:
        return None
    return provider(live[0].provider).portal_url(live[0].customer.external_id, return_url)
