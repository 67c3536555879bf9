"""The seam between the site and a payment provider.

A provider starts checkouts, gives the address of its customer portal, parses (and verifies)
its webhooks, and answers what a subscription, a payment or a checkout looks like *now*, as a
snapshot in the provider-neutral shapes below. It writes nothing of ours: `billing.sync` owns
every local write, whichever provider the snapshot came from.

`BILLING_PROVIDER` chooses one: `stripe`, `test` (a checkout page of our own, for development
and demos, no money moves) or `manual` (staff record payments made by cheque or phone).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string

PROVIDERS = {
    "stripe": "billing.providers.stripe.StripeProvider",
    "test": "billing.providers.test.TestProvider",
    "manual": "billing.providers.manual.ManualProvider",
}


class ProviderError(Exception):
    """The provider refused or could not be reached: nothing was done; try again."""


class InvalidWebhook(Exception):
    """A webhook that is not signed as it should be (or is not an event at all)."""


class Declined(ProviderError):
    """The payment was declined: the reader may try another card."""


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    object_id: str
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutSnapshot:
    external_id: str
    attempt_id: str  # our CheckoutAttempt's id, which the provider echoes back
    complete: bool
    customer_id: str = ""
    subscription_id: str = ""  # a subscription checkout, once paid
    payment_id: str = ""  # a one-time (gift) checkout, once paid


@dataclass(frozen=True)
class SubscriptionSnapshot:
    external_id: str
    customer_id: str
    user_id: int | None  # from the metadata the checkout gave it
    price_id: int | None  # our Price, from that metadata or the provider's price id
    status: str  # PaidSubscription.Status
    started_at: datetime
    current_period_end: datetime | None = None
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    ended_at: datetime | None = None
    cancel_reason: str = ""
    latest_payment_id: str = ""
    next_price_id: int | None = None  # our Price the next renewal switches to, if any


@dataclass(frozen=True)
class PaymentSnapshot:
    external_id: str
    customer_id: str
    subscription_id: str  # "" for a one-time payment
    status: str  # Payment.Status
    amount: int
    currency: str
    amount_refunded: int = 0
    period_start: datetime | None = None
    period_end: datetime | None = None
    paid_at: datetime | None = None
    attempts: int = 0
    charge_id: str = ""
    receipt_url: str = ""
    attempt_id: str = ""  # the checkout that asked for it, for a one-time payment
    method: str = ""  # how it was paid: "Visa ending 4242", "Cheque no. 1042"


def provider_class(name=None):
    """The class of the provider `name` (default: `BILLING_PROVIDER`): what it can do, without
    setting it up (Stripe needs its key for that)."""
    return import_string(PROVIDERS[name or settings.BILLING_PROVIDER])


def provider(name=None):
    """The provider `name` (default: `BILLING_PROVIDER`)."""
    return provider_class(name)()


def online_providers():
    """The providers that take payments themselves: checkout, renewals, a portal (not manual)."""
    return [name for name in PROVIDERS if provider_class(name).takes_payments_online]
