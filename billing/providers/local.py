"""What the providers that live in this site share: their own side of things (customers,
checkouts, subscriptions, invoices, events) in `ProviderRecord` rows, read back in the same
snapshots Stripe's objects are turned into, and events delivered through the task queue to
`billing.events.receive` — the path, and the re-fetching, Stripe's webhooks take.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from billing.models import Price, ProviderRecord, period_end
from billing.providers import Event, PaymentSnapshot, ProviderError, SubscriptionSnapshot


def when(text):
    return parse_datetime(text) if text else None


def stamp(moment):
    return moment.isoformat() if moment else None


class LocalProvider:
    name = ""
    takes_payments_online = True  # checkout, renewals by themselves, a portal

    def record(self, external_id):
        found = ProviderRecord.objects.filter(provider=self.name, external_id=external_id).first()
        if found is None:
            raise ProviderError(f"No such object: {external_id}")
        return found

    def new(self, kind, prefix, /, **data):
        return ProviderRecord.objects.create(
            provider=self.name,
            kind=kind,
            external_id=f"{prefix}_{self.name}_{secrets.token_hex(8)}",
            data=data,
        )

    def records(self, kind):
        return ProviderRecord.objects.filter(provider=self.name, kind=kind)

    def change(self, external_id, **data):
        record = ProviderRecord.objects.select_for_update().get(
            provider=self.name, external_id=external_id
        )
        record.data = {**record.data, **data}
        record.save(update_fields=["data"])
        return record

    def emit(self, type, object_id):
        """Send an event, as a webhook would: through the task queue, once this is committed."""
        from billing.tasks import deliver_local_event

        event = self.new("event", "evt", type=type, object=object_id)
        transaction.on_commit(
            lambda: deliver_local_event.enqueue(self.name, event.external_id), robust=True
        )

    def event(self, event_id):
        data = self.record(event_id).data
        return Event(event_id, data["type"], data["object"], data)

    # The provider's interface -----------------------------------------------------------------

    def create_customer(self, user):
        return self.new("customer", "cus", user_id=user.pk, card=self.default_card).external_id

    default_card = ""

    def fetch_subscription(self, external_id):
        data = self.record(external_id).data
        return SubscriptionSnapshot(
            external_id=external_id,
            customer_id=data["customer"],
            user_id=data["user_id"],
            price_id=data["price_id"],
            status=data["status"],
            started_at=when(data["started_at"]),
            current_period_end=when(data["current_period_end"]),
            trial_end=when(data.get("trial_end")),
            cancel_at_period_end=data["cancel_at_period_end"],
            ended_at=when(data.get("ended_at")),
            cancel_reason=data.get("cancel_reason", ""),
            latest_payment_id=data.get("latest_invoice", ""),
            next_price_id=data.get("next_price_id"),
        )

    def fetch_payment(self, external_id):
        data = self.record(external_id).data
        return PaymentSnapshot(
            external_id=external_id,
            customer_id=data["customer"],
            subscription_id=data.get("subscription", ""),
            status=data["status"],
            amount=data["amount"],
            currency=data["currency"],
            amount_refunded=data.get("refunded", 0),
            period_start=when(data.get("period_start")),
            period_end=when(data.get("period_end")),
            paid_at=when(data.get("paid_at")),
            attempts=data.get("attempts", 1),
            charge_id=f"ch_{external_id}",
            receipt_url="",
            attempt_id=data.get("attempt_id", ""),
            method=data.get("method", ""),
        )

    def invoice_of_charge(self, charge_id):
        return charge_id.removeprefix("ch_")

    def charge_of_dispute(self, dispute_id):
        return self.record(dispute_id).data["charge"]

    def describe_customer(self, customer_id):
        return self.record(customer_id).data.get("card", ""), False

    @transaction.atomic  # its record is changed under a row lock
    def cancel_at_period_end(self, subscription_id, *, reason=""):
        self.change(
            subscription_id, cancel_at_period_end=True, cancel_reason=reason, next_price_id=None
        )
        self.emit("customer.subscription.updated", subscription_id)

    @transaction.atomic
    def resume(self, subscription_id):
        self.change(subscription_id, cancel_at_period_end=False, cancel_reason="")
        self.emit("customer.subscription.updated", subscription_id)

    @transaction.atomic
    def defer_renewal(self, subscription_id, *, until):
        """Charge nothing until `until` (a gift year comes first): free till then, as in a
        trial, and renewing then."""
        moment = stamp(until)  # and a pending switch is dropped, as at Stripe
        self.change(
            subscription_id, status="trialing", trial_end=moment, current_period_end=moment,
            next_price_id=None,
        )  # fmt: skip
        self.emit("customer.subscription.updated", subscription_id)

    @transaction.atomic
    def switch_price(self, subscription_id, price):
        """From the next renewal on, `price` (the period paid for runs out first; nothing is
        charged or credited now). Switching back to the current price undoes it."""
        current = self.record(subscription_id).data["price_id"]
        self.change(subscription_id, next_price_id=None if price.pk == current else price.pk)
        self.emit("customer.subscription.updated", subscription_id)

    @transaction.atomic
    def refund(self, payment):
        record = self.change(payment.external_id, refunded=payment.amount)
        self.emit("charge.refunded", f"ch_{record.external_id}")

    # Subscriptions and invoices on its side --------------------------------------------------

    def subscribe(self, *, customer, user_id, price, start, trial=True, **invoice_data):
        """A subscription to `price` from `start`: a free trial first if the price has one
        (and `trial`), else its first period invoiced and paid."""
        days = price.trial_days if trial else 0
        trial_end = start + timedelta(days=days) if days else None
        subscription = self.new(
            "subscription", "sub", customer=customer, user_id=user_id, price_id=price.pk,
            status="trialing" if trial_end else "active",
            started_at=stamp(start), trial_end=stamp(trial_end),
            current_period_end=stamp(trial_end or period_end(start, price.interval)),
            cancel_at_period_end=False, ended_at=None,
        )  # fmt: skip
        self.emit("customer.subscription.created", subscription.external_id)
        if trial_end is None:
            invoice = self.invoice(customer, price, subscription.external_id, start, **invoice_data)
            self.change(subscription.external_id, latest_invoice=invoice.external_id)
        return subscription

    def invoice(self, customer, price, subscription_id, start, *, paid=True, paid_at=None, **data):
        paid_at = (paid_at or timezone.now()) if paid else None
        invoice = self.new(
            "invoice", "in", customer=customer, subscription=subscription_id,
            amount=price.amount, currency=price.currency,
            status="paid" if paid else "failed", attempts=1,
            period_start=stamp(start), period_end=stamp(period_end(start, price.interval)),
            paid_at=stamp(paid_at), **data,
        )  # fmt: skip
        self.emit("invoice.paid" if paid else "invoice.payment_failed", invoice.external_id)
        return invoice

    def charge_once(self, customer, amount, currency, **data):
        """A one-time payment (a gift, a single issue): an invoice of no subscription, paid."""
        invoice = self.new(
            "invoice", "in", customer=customer, subscription="", amount=amount,
            currency=currency, status="paid", attempts=1, paid_at=stamp(timezone.now()), **data,
        )  # fmt: skip
        self.emit("invoice.paid", invoice.external_id)
        return invoice

    @transaction.atomic
    def renew(self, subscription_id, *, paid):
        """The end of a period (or of a trial): a subscription cancelled for then ends;
        otherwise the next period is charged — paid, it goes on; failed, it is past due and
        tried again (`retry`) until `end`."""
        data = self.record(subscription_id).data
        if data["status"] in ("canceled", "incomplete_expired"):
            raise ProviderError("This subscription has ended.")
        start = when(data["current_period_end"])
        if data["cancel_at_period_end"]:
            return self.end(subscription_id, at=start)
        price = Price.objects.get(pk=data.get("next_price_id") or data["price_id"])
        self.change(subscription_id, price_id=price.pk, next_price_id=None)
        method = self.describe_customer(data["customer"])[0]
        invoice = self.invoice(
            data["customer"], price, subscription_id, start, paid=paid, method=method
        )
        self.after_charge(subscription_id, invoice, price, paid=paid)
        return invoice

    @transaction.atomic
    def retry(self, subscription_id, *, paid):
        """The provider tries the failed invoice of a past-due subscription again."""
        data = self.record(subscription_id).data
        failed = [
            record
            for record in self.records("invoice").order_by("-created_at")
            if record.data.get("subscription") == subscription_id
            and record.data["status"] == "failed"
        ]
        if data["status"] != "past_due" or not failed:
            raise ProviderError("Nothing to retry: the subscription is not past due.")
        invoice = failed[0]
        attempts = invoice.data["attempts"] + 1
        if paid:
            invoice = self.change(invoice.external_id, status="paid", attempts=attempts,
                                  paid_at=stamp(timezone.now()))  # fmt: skip
        else:
            invoice = self.change(invoice.external_id, attempts=attempts)
        self.emit("invoice.paid" if paid else "invoice.payment_failed", invoice.external_id)
        price = Price.objects.get(pk=data["price_id"])
        self.after_charge(subscription_id, invoice, price, paid=paid)
        return invoice

    def after_charge(self, subscription_id, invoice, price, *, paid):
        if paid:
            self.change(
                subscription_id, status="active", latest_invoice=invoice.external_id,
                current_period_end=invoice.data["period_end"], trial_end=None,
            )  # fmt: skip
        else:
            self.change(subscription_id, status="past_due")
        self.emit("customer.subscription.updated", subscription_id)

    @transaction.atomic
    def end(self, subscription_id, *, at=None):
        """The subscription ends: a cancellation took effect, or the last retry failed."""
        self.change(subscription_id, status="canceled", ended_at=stamp(at or timezone.now()))
        self.emit("customer.subscription.deleted", subscription_id)
