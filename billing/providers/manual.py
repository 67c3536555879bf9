"""The manual provider: payments made by cheque, bank transfer or phone, recorded by staff.

What the demo's "call 1-800… or mail a check" publishers do today. Staff record a payment in the
admin; it becomes a paid invoice of a subscription on this provider's side, and the same sync
as Stripe's grants the period. Such a subscription does not renew by itself: the reader pays
again (and staff record it) for the next period.
"""

from django.db import transaction

from billing.models import PaidSubscription, period_end
from billing.providers import ProviderError
from billing.providers.local import LocalProvider, stamp, when
from paywall.models import grace_period


class ManualProvider(LocalProvider):
    name = "manual"
    takes_payments_online = False  # staff record each payment: nothing renews by itself

    def start_checkout(self, attempt, customer_id, *, success_url, cancel_url):
        raise ProviderError("Payments are not taken online here: see how to subscribe below.")

    def portal_url(self, customer_id, return_url):
        raise ProviderError("Payments made by cheque or phone have no online portal.")

    def fetch_checkout(self, session_id):
        raise ProviderError("The manual provider has no checkout.")

    @transaction.atomic
    def record_paid(self, *, customer, price, paid_at, method):
        """Record that `customer` paid for `price` on `paid_at` (`method`: "Cheque no. 1042").

        The next period of their current subscription to the plan if it has not lapsed (past its
        grace), else a new subscription from `paid_at`. Returns the subscription's id here."""
        current = (
            PaidSubscription.objects.filter(
                provider=self.name, customer=customer, price__plan=price.plan,
                status__in=PaidSubscription.LIVE,
                current_period_end__gt=paid_at - grace_period(),
            ).order_by("-current_period_end").first()
        )  # fmt: skip
        if current is None:
            subscription = self.subscribe(
                customer=customer.external_id, user_id=customer.user_id, price=price,
                start=paid_at, trial=False, paid_at=paid_at, method=method,
            )  # fmt: skip
            self.change(subscription.external_id, cancel_at_period_end=True)
            return subscription.external_id
        record = self.change(current.external_id, price_id=price.pk)
        start = when(record.data["current_period_end"])
        invoice = self.invoice(customer.external_id, price, current.external_id, start,
                               paid_at=paid_at, method=method)  # fmt: skip
        self.change(
            current.external_id, status="active", latest_invoice=invoice.external_id,
            current_period_end=stamp(period_end(start, price.interval)),
        )  # fmt: skip
        self.emit("customer.subscription.updated", current.external_id)
        return current.external_id
