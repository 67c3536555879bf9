"""Stripe: Checkout Sessions, the Billing Portal, signed webhooks — through the official SDK.

The only module that imports `stripe`. Every object is read in both the shape of the pinned
API version (periods on subscription items, an invoice's subscription under `parent`) and the
older one (on the subscription, on the invoice), so an account on either works. Requests that
create something carry an idempotency key from a local row (the checkout attempt, the
payment), so a retry never creates a second one.
"""

import json
from datetime import UTC, datetime
from functools import lru_cache

import stripe
from django.conf import settings

from billing.models import Payment, Price
from billing.providers import (
    CheckoutSnapshot,
    Declined,
    Event,
    InvalidWebhook,
    PaymentSnapshot,
    ProviderError,
    SubscriptionSnapshot,
)

INVOICE_STATUS = {"paid": Payment.Status.PAID, "void": Payment.Status.VOID,
                  "uncollectible": Payment.Status.FAILED}  # fmt: skip


def moment(seconds):
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds else None


def first_item(subscription):
    items = (subscription.get("items") or {}).get("data") or [{}]
    return items[0]


def the_id(value):
    """An expandable field's id, whether it came expanded (an object) or not (an id)."""
    return value.get("id", "") if isinstance(value, dict) else value or ""


def paid_period(invoice):
    """The period an invoice pays for: that of its line ending last (a renewal may list first
    the prorations of an earlier change, which end where the renewal starts)."""
    lines = (invoice.get("lines") or {}).get("data") or []
    spans = [line.get("period") or {} for line in lines]
    return max(spans, key=lambda span: span.get("end") or 0, default={})


def card_summary(card):
    """ "Visa ending 4242", from a card's details."""
    if not card:
        return ""
    return f"{str(card.get('brand', 'card')).title()} ending {card.get('last4', '????')}"


@lru_cache(maxsize=4)
def client_for(secret_key, api_base):
    """One client per key for the life of the process: it keeps its connections to Stripe
    open between requests (a webhook's re-fetches would otherwise each open a new one)."""
    base = {"api": api_base} if api_base else {}
    return stripe.StripeClient(secret_key, base_addresses=base, max_network_retries=2)


class StripeProvider:
    name = "stripe"
    takes_payments_online = True

    def __init__(self):
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderError("Stripe is not set up: STRIPE_SECRET_KEY is missing.")
        self.client = client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)

    def call(self, method, *args, **kwargs):
        """A Stripe request; what it returns as plain data, its failures as ours."""
        try:
            return method(*args, **kwargs).to_dict()
        except stripe.CardError as error:
            raise Declined(error.user_message or "Your card was declined.") from error
        except stripe.StripeError as error:
            raise ProviderError(str(error.user_message or error)) from error

    # Starting to pay ---------------------------------------------------------------------------

    def create_customer(self, user):
        customer = self.call(
            self.client.v1.customers.create,
            {"email": user.email, "name": user.get_full_name(),
             "metadata": {"user_id": str(user.pk)}},
            {"idempotency_key": f"customer:{user.pk}:{user.billing_customers.count()}"},
        )  # fmt: skip
        return customer["id"]

    def start_checkout(self, attempt, customer_id, *, success_url, cancel_url):
        price = attempt.price
        metadata = {"attempt_id": str(attempt.pk), "user_id": str(attempt.user_id)}
        if price is not None:
            metadata["price_id"] = str(price.pk)
        params = {
            "customer": customer_id,
            "client_reference_id": str(attempt.pk),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
        }
        if attempt.is_one_off:  # a gift, or a single issue: paid once, with an invoice
            item = attempt.one_off()
            params |= {
                "mode": "payment",
                "line_items": [{"quantity": 1, "price_data": {
                    "currency": item.currency, "unit_amount": item.amount,
                    "product_data": {"name": item.name}}}],
                "invoice_creation": {"enabled": True, "invoice_data": {"metadata": metadata}},
            }  # fmt: skip
        else:
            subscription_data = {"metadata": metadata}
            if price.trial_days:
                subscription_data["trial_period_days"] = price.trial_days
            params |= {
                "mode": "subscription",
                "line_items": [{"price": price.stripe_price_id, "quantity": 1}],
                "subscription_data": subscription_data,
            }
        session = self.call(
            self.client.v1.checkout.sessions.create,
            params,
            {"idempotency_key": f"checkout:{attempt.pk}"},
        )
        return session["id"], session["url"]

    def expire_checkout(self, session_id):
        """Close a checkout the reader left for another choice, so that it can no longer be
        paid. False if it was paid meanwhile (there is nothing to close)."""
        status = self.call(self.client.v1.checkout.sessions.retrieve, session_id).get("status")
        if status == "open":
            try:
                self.call(self.client.v1.checkout.sessions.expire, session_id)
            except ProviderError:  # paid between the two calls?
                again = self.call(self.client.v1.checkout.sessions.retrieve, session_id)
                if again.get("status") != "complete":
                    raise
                return False
        return status != "complete"

    def portal_url(self, customer_id, return_url):
        session = self.call(
            self.client.v1.billing_portal.sessions.create,
            {"customer": customer_id, "return_url": return_url},
        )
        return session["url"]

    # What things look like now -----------------------------------------------------------------

    def fetch_checkout(self, session_id):
        session = self.call(self.client.v1.checkout.sessions.retrieve, session_id)
        paid = session.get("payment_status") in ("paid", "no_payment_required")
        return CheckoutSnapshot(
            external_id=session["id"],
            attempt_id=session.get("client_reference_id") or "",
            complete=session.get("status") == "complete" and paid,
            customer_id=the_id(session.get("customer")),
            subscription_id=the_id(session.get("subscription")),
            payment_id=the_id(session.get("invoice")) if session.get("mode") == "payment" else "",
        )

    def fetch_subscription(self, external_id):
        subscription = self.call(
            self.client.v1.subscriptions.retrieve,
            external_id,
            {"expand": ["latest_invoice", "schedule"]},
        )
        item = first_item(subscription)
        metadata = subscription.get("metadata") or {}
        latest = subscription.get("latest_invoice")
        return SubscriptionSnapshot(
            external_id=subscription["id"],
            customer_id=the_id(subscription["customer"]),
            user_id=int(metadata["user_id"]) if metadata.get("user_id") else None,
            price_id=self.price_id(metadata, item),
            status=subscription["status"],
            started_at=moment(subscription.get("start_date") or subscription.get("created")),
            current_period_end=moment(
                item.get("current_period_end") or subscription.get("current_period_end")
            ),
            trial_end=moment(subscription.get("trial_end")),
            cancel_at_period_end=bool(subscription.get("cancel_at_period_end")),
            ended_at=moment(subscription.get("ended_at")),
            cancel_reason=metadata.get("cancel_reason", ""),
            latest_payment_id=the_id(latest)
            if isinstance(latest, dict) and latest.get("status") == "paid"
            else "",
            next_price_id=self.next_price_id(subscription, item),
        )

    def price_id(self, metadata, item):
        """Our price: named in the metadata our checkout gave, else found by Stripe's price
        id (a subscription made in Stripe's dashboard, or switched in its portal)."""
        stripe_price = the_id(item.get("price")) or the_id(item.get("plan"))
        by_stripe = Price.objects.filter(stripe_price_id=stripe_price).values_list("pk", flat=True)
        found = by_stripe.first() if stripe_price else None
        return found or (int(metadata["price_id"]) if metadata.get("price_id") else None)

    def next_price_id(self, subscription, item):
        """Our price the subscription's schedule moves it to at the end of this period (a
        switch the reader asked for), if any."""
        schedule = subscription.get("schedule")
        if not isinstance(schedule, dict) or schedule.get("status") not in ("active", None):
            return None
        end = item.get("current_period_end") or subscription.get("current_period_end") or 0
        for phase in schedule.get("phases") or []:
            if (phase.get("start_date") or 0) >= end and phase.get("items"):
                return self.price_id(phase.get("metadata") or {}, phase["items"][0])
        return None

    def fetch_payment(self, external_id):
        invoice = self.call(self.client.v1.invoices.retrieve, external_id, {"expand": ["payments"]})
        parent = (invoice.get("parent") or {}).get("subscription_details") or {}
        span = paid_period(invoice)
        charge = self.charge(invoice)
        return PaymentSnapshot(
            external_id=invoice["id"],
            customer_id=the_id(invoice["customer"]),
            subscription_id=the_id(parent.get("subscription") or invoice.get("subscription")),
            status=self.payment_status(invoice),
            amount=invoice.get("amount_paid") or invoice.get("amount_due") or 0,
            currency=invoice.get("currency", settings.BILLING_CURRENCY),
            amount_refunded=charge.get("amount_refunded", 0),
            period_start=moment(span.get("start")),
            period_end=moment(span.get("end")),
            paid_at=moment((invoice.get("status_transitions") or {}).get("paid_at")),
            attempts=invoice.get("attempt_count") or 0,
            charge_id=charge.get("id", ""),
            receipt_url=invoice.get("hosted_invoice_url") or "",
            attempt_id=(invoice.get("metadata") or {}).get("attempt_id", ""),
            method=card_summary((charge.get("payment_method_details") or {}).get("card")),
        )

    def payment_status(self, invoice):
        if invoice["status"] in INVOICE_STATUS:
            return INVOICE_STATUS[invoice["status"]]
        return Payment.Status.FAILED if invoice.get("attempt_count") else Payment.Status.OPEN

    def charge(self, invoice):
        """The charge that paid `invoice` ({} if none did): under its payments in the pinned
        API version (the invoice has no `charge` since 2025-03-31), or its `charge` before."""
        payments = (invoice.get("payments") or {}).get("data") or []
        paid = [p["payment"] for p in payments if p.get("status") == "paid" and p.get("payment")]
        payment = paid[0] if paid else {"charge": invoice.get("charge")}
        if payment.get("payment_intent"):
            intent = self.call(
                self.client.v1.payment_intents.retrieve,
                the_id(payment["payment_intent"]),
                {"expand": ["latest_charge"]},
            )
            payment = {"charge": intent.get("latest_charge")}
        charge = payment.get("charge")
        if isinstance(charge, dict) and "amount_refunded" in charge:
            return charge
        charge_id = the_id(charge)
        return self.call(self.client.v1.charges.retrieve, charge_id) if charge_id else {}

    def invoice_of_charge(self, charge_id):
        """The invoice `charge_id` paid: ours if recorded, else Stripe's invoice payment of its
        payment intent (a charge names no invoice since 2025-03-31; before, it did)."""
        known = Payment.objects.filter(provider=self.name, charge_id=charge_id).first()
        if known is not None:
            return known.external_id
        charge = self.call(self.client.v1.charges.retrieve, charge_id)
        intent = the_id(charge.get("payment_intent"))
        if charge.get("invoice") or not intent:
            return the_id(charge.get("invoice"))
        payments = self.call(
            self.client.v1.invoice_payments.list,
            {"payment": {"type": "payment_intent", "payment_intent": intent}},
        )
        return next((the_id(p.get("invoice")) for p in payments.get("data") or []), "")

    def charge_of_dispute(self, dispute_id):
        return the_id(self.call(self.client.v1.disputes.retrieve, dispute_id)["charge"])

    def describe_customer(self, customer_id):
        customer = self.call(
            self.client.v1.customers.retrieve,
            customer_id,
            {"expand": ["invoice_settings.default_payment_method"]},
        )
        if customer.get("deleted"):
            return "", True
        method = (customer.get("invoice_settings") or {}).get("default_payment_method")
        return card_summary(method.get("card") if isinstance(method, dict) else None), False

    # Changes the reader asks for -----------------------------------------------------------------

    def cancel_at_period_end(self, subscription_id, *, reason=""):
        self.release_schedule(self.retrieve(subscription_id))  # no renewal: no switch either
        self.call(
            self.client.v1.subscriptions.update,
            subscription_id,
            {"cancel_at_period_end": True, "metadata": {"cancel_reason": reason[:500]}},
        )

    def resume(self, subscription_id):
        self.call(
            self.client.v1.subscriptions.update,
            subscription_id,
            {"cancel_at_period_end": False, "metadata": {"cancel_reason": ""}},
        )

    def defer_renewal(self, subscription_id, *, until):
        """Charge nothing until `until` (a gift year comes first): Stripe's way is a trial that
        ends then, with no proration. A pending switch is dropped: its schedule would end the
        trial where the paid period ended."""
        self.release_schedule(self.retrieve(subscription_id))
        self.call(
            self.client.v1.subscriptions.update,
            subscription_id,
            {"trial_end": int(until.timestamp()), "proration_behavior": "none"},
        )

    def retrieve(self, subscription_id):
        return self.call(self.client.v1.subscriptions.retrieve, subscription_id)

    def release_schedule(self, subscription):
        if subscription.get("schedule"):
            self.call(
                self.client.v1.subscription_schedules.release, the_id(subscription["schedule"])
            )

    def switch_price(self, subscription_id, price):
        """From the next renewal on, `price`; the period paid for runs out first, and nothing
        is charged or credited now. Changing the subscription's price itself would not do: to
        another interval (monthly ↔ yearly), Stripe would start a new period and charge it at
        once. A subscription schedule makes the change when this period ends instead; switching
        back to the current price releases it."""
        subscription = self.retrieve(subscription_id)
        item = first_item(subscription)
        current = the_id(item.get("price")) or the_id(item.get("plan"))
        if current == price.stripe_price_id:
            self.release_schedule(subscription)
            return
        schedule = (
            the_id(subscription.get("schedule"))
            or self.call(
                self.client.v1.subscription_schedules.create, {"from_subscription": subscription_id}
            )["id"]
        )
        start = item.get("current_period_start") or subscription.get("current_period_start")
        end = item.get("current_period_end") or subscription.get("current_period_end")
        phases = [
            {"items": [{"price": current, "quantity": 1}], "start_date": start, "end_date": end},
            {
                "items": [{"price": price.stripe_price_id, "quantity": 1}],
                "duration": {"interval": price.interval, "interval_count": 1},
                "metadata": {"price_id": str(price.pk)},
            },
        ]
        self.call(
            self.client.v1.subscription_schedules.update,
            schedule,
            {"phases": phases, "end_behavior": "release", "proration_behavior": "none"},
        )

    def refund(self, payment):
        self.call(
            self.client.v1.refunds.create,
            {"charge": payment.charge_id},
            {"idempotency_key": f"refund:{payment.pk}"},
        )

    # Webhooks ----------------------------------------------------------------------------------

    @staticmethod
    def parse_webhook(request):
        """The event `request` carries, if Stripe signed it with our secret in the last five
        minutes; InvalidWebhook otherwise (no secret set up included: nothing is trusted).
        Needs no API key: an event that comes while the key is missing is kept, and fails."""
        secret = settings.STRIPE_WEBHOOK_SECRET
        signature = request.headers.get("Stripe-Signature")
        if not secret or not signature:
            raise InvalidWebhook("No webhook secret, or no signature.")
        try:
            stripe.WebhookSignature.verify_header(
                request.body, signature, secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE
            )
            event = json.loads(request.body)  # plain data: the SDK's objects cost more to build
            return Event(event["id"], event["type"], event["data"]["object"]["id"], event)
        except (stripe.SignatureVerificationError, ValueError, KeyError, TypeError) as error:
            raise InvalidWebhook(str(error)) from error
