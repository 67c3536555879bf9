"""A reader's subscription as Stripe holds it, in the shapes of the API version the SDK pins
(2026-10-28): periods on the subscription's items, an invoice's subscription under
`parent.subscription_details`, its charge under its (expandable) `payments`. What localstripe
cannot do — trials, renewals a year on, failed renewals and retries, proration — happens here.

Each step of the subscription's life changes the objects a `StripeStub` serves (Stripe's "now")
and returns the events Stripe sends about it, with ids that are the same in every run.
"""

import copy
from datetime import UTC, datetime, timedelta

from billing.models import CheckoutAttempt, Customer

API_VERSION = "2026-10-28.endive"


def stamp(moment):
    return int(moment.timestamp()) if moment else None


def moment(seconds):
    return datetime.fromtimestamp(seconds, tz=UTC)


def a_year_after(at):
    return at.replace(year=at.year + 1)


def sent_to_checkout(stub, reader, price):
    """`reader` chose `price` and was sent to Stripe's checkout (the rows the site wrote then):
    what Stripe holds for them from there on is the test's to write."""
    price.stripe_price_id = f"price_{price.plan.slug}_{price.interval}ly"
    price.save()
    Customer.objects.create(provider="stripe", external_id="cus_1", user=reader)
    attempt = CheckoutAttempt.objects.create(
        user=reader, price=price, provider="stripe", external_id="cs_1",
        url="https://checkout.stripe.com/c/pay/cs_1",
    )  # fmt: skip
    return StripeAccount(stub, user_id=reader.pk, attempt_id=attempt.pk, price=price)


class StripeAccount:
    def __init__(self, stub, *, user_id, attempt_id, price, amount=3200, old_shapes=False):
        self.stub = stub
        self.counts = {}
        self.customer = "cus_1"
        self.subscription_id = "sub_1"
        self.attempt_id = str(attempt_id)
        self.price = price  # our Price: its stripe_price_id, its pk in the metadata
        self.amount = amount
        self.user_id = user_id
        self.old_shapes = old_shapes

    def next_id(self, prefix):
        """`in_1`, `in_2`…: each kind of object numbered on its own, as a test can foresee."""
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}_{self.counts[prefix]}"

    @property
    def subscription(self):
        return self.stub.objects[self.subscription_id]

    def event(self, type, object_id, at):
        obj = copy.deepcopy(self.stub.objects[object_id])
        obj.pop("payments", None)  # not included in events either
        return {
            "id": self.next_id("evt"), "object": "event", "api_version": API_VERSION,
            "created": stamp(at), "data": {"object": obj}, "livemode": False,
            "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
            "type": type,
        }  # fmt: skip

    # The objects ---------------------------------------------------------------------------

    def item(self, start, end):
        price = {"id": self.price.stripe_price_id, "object": "price", "currency": "usd",
                 "unit_amount": self.amount, "product": "prod_1", "type": "recurring",
                 "recurring": {"interval": "year", "interval_count": 1}}  # fmt: skip
        item = {"id": "si_1", "object": "subscription_item", "price": price, "quantity": 1,
                "subscription": self.subscription_id,
                "current_period_start": stamp(start), "current_period_end": stamp(end)}  # fmt: skip
        if self.old_shapes:
            del item["current_period_start"], item["current_period_end"], item["price"]
            item["plan"] = {**price, "object": "plan", "amount": self.amount, "interval": "year"}
        return item

    def set_period(self, start, end):
        subscription = self.subscription
        subscription["items"]["data"] = [self.item(start, end)]
        if self.old_shapes:
            subscription["plan"] = subscription["items"]["data"][0]["plan"]
            subscription["current_period_start"] = stamp(start)
            subscription["current_period_end"] = stamp(end)

    def period(self):
        holder = self.subscription if self.old_shapes else self.subscription["items"]["data"][0]
        return moment(holder["current_period_start"]), moment(holder["current_period_end"])

    def line(self, amount, start, end, *, proration=False, price=None):
        details = {"subscription": self.subscription_id, "subscription_item": "si_1",
                   "invoice_item": None, "proration": proration}  # fmt: skip
        return {
            "id": self.next_id("il"), "object": "line_item", "amount": amount,
            "currency": "usd", "period": {"start": stamp(start), "end": stamp(end)},
            "parent": {"type": "subscription_item_details",
                       "subscription_item_details": details},
            "pricing": {"type": "price_details",
                        "price_details": {"price": (price or self.price).stripe_price_id,
                                          "product": "prod_1"}},
            "quantity": 1, "subscription": self.subscription_id,
        }  # fmt: skip

    def invoice(self, lines, *, at, reason, paid=True):
        amount = max(0, sum(line["amount"] for line in lines))
        invoice = {
            "id": self.next_id("in"), "object": "invoice", "customer": self.customer,
            "currency": "usd", "amount_due": amount, "amount_paid": 0,
            "amount_remaining": amount, "attempt_count": 0, "attempted": False,
            "billing_reason": reason, "created": stamp(at), "metadata": {},
            "hosted_invoice_url": "https://invoice.stripe.com/i/test",
            "lines": {"object": "list", "data": lines, "has_more": False},
            "parent": {"type": "subscription_details", "quote_details": None,
                       "subscription_details": {"subscription": self.subscription_id,
                                                "metadata": self.metadata}},
            "payments": {"object": "list", "data": [], "has_more": False},
            "period_start": stamp(at), "period_end": stamp(at), "status": "open",
            "status_transitions": {"finalized_at": stamp(at), "paid_at": None},
        }  # fmt: skip
        if self.old_shapes:
            invoice.update(parent=None, subscription=self.subscription_id, charge=None)
            del invoice["payments"]
        self.stub.add(invoice)
        self.charge_invoice(invoice["id"], at=at, paid=paid)
        return invoice["id"]

    def charge_invoice(self, invoice_id, *, at, paid):
        """One attempt at taking the invoice's amount (a $0 one is simply paid)."""
        invoice = self.stub.objects[invoice_id]
        amount = invoice["amount_due"]
        invoice["attempt_count"] += 1 if amount else 0
        invoice["attempted"] = True
        if not paid:
            return
        invoice.update(status="paid", amount_paid=amount, amount_remaining=0)
        invoice["status_transitions"]["paid_at"] = stamp(at)
        if not amount:
            return
        intent, charge = self.next_id("pi"), self.next_id("ch")
        self.stub.add(
            {"id": intent, "object": "payment_intent", "amount": amount, "currency": "usd",
             "status": "succeeded", "latest_charge": charge, "customer": self.customer},
            {"id": charge, "object": "charge", "amount": amount, "amount_refunded": 0,
             "refunded": False, "currency": "usd", "paid": True, "status": "succeeded",
             "payment_intent": intent, "customer": self.customer,
             "payment_method_details": {"type": "card",
                                        "card": {"brand": "visa", "last4": "4242"}}},
        )  # fmt: skip
        if self.old_shapes:
            invoice["charge"] = charge
        else:
            invoice["payments"]["data"].append({
                "id": self.next_id("inpay"), "object": "invoice_payment", "invoice": invoice_id,
                "amount_paid": amount, "currency": "usd", "status": "paid", "is_default": True,
                "payment": {"type": "payment_intent", "payment_intent": intent},
            })  # fmt: skip

    @property
    def metadata(self):
        return {"user_id": str(self.user_id), "price_id": str(self.price.pk),
                "attempt_id": self.attempt_id}  # fmt: skip

    def paid_events(self, invoice_id, at):
        if self.stub.objects[invoice_id]["status"] == "paid":
            return [self.event("invoice.paid", invoice_id, at),
                    self.event("invoice.payment_succeeded", invoice_id, at)]  # fmt: skip
        return [self.event("invoice.payment_failed", invoice_id, at)]

    # The steps of a subscription's life -------------------------------------------------------

    def checkout(self, at, *, trial_days=0):
        """The reader pays at Checkout (or starts a free trial there)."""
        trial_end = at + timedelta(days=trial_days) if trial_days else None
        end = trial_end or a_year_after(at)
        self.stub.add({
            "id": self.subscription_id, "object": "subscription", "customer": self.customer,
            "status": "trialing" if trial_end else "active", "created": stamp(at),
            "start_date": stamp(at), "billing_cycle_anchor": stamp(end),
            "cancel_at_period_end": False, "cancel_at": None, "canceled_at": None,
            "ended_at": None, "trial_start": stamp(at) if trial_end else None,
            "trial_end": stamp(trial_end), "collection_method": "charge_automatically",
            "currency": "usd", "livemode": False, "metadata": self.metadata,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "items": {"object": "list", "data": [], "has_more": False},
            "latest_invoice": None,
        })  # fmt: skip
        self.set_period(at, end)
        amount = 0 if trial_end else self.amount
        invoice = self.invoice([self.line(amount, at, end)], at=at, reason="subscription_create")
        self.subscription["latest_invoice"] = invoice
        self.stub.add({
            "id": "cs_1", "object": "checkout.session", "mode": "subscription",
            "status": "complete", "customer": self.customer,
            "payment_status": "no_payment_required" if trial_end else "paid",
            "client_reference_id": self.attempt_id, "subscription": self.subscription_id,
            "invoice": invoice, "metadata": self.metadata,
        })  # fmt: skip
        return [
            self.event("customer.subscription.created", self.subscription_id, at),
            *self.paid_events(invoice, at),
            self.event("checkout.session.completed", "cs_1", at),
        ]

    def renew(self, at, *, paid=True, extra_lines=()):
        """The period (or trial) ends at `at` and the next is invoiced: the subscription moves
        on to it even when the charge fails (past due)."""
        end = a_year_after(at)
        self.set_period(at, end)
        lines = [*extra_lines, self.line(self.amount, at, end)]
        invoice = self.invoice(lines, at=at, reason="subscription_cycle", paid=paid)
        self.subscription.update(latest_invoice=invoice, status="active" if paid else "past_due")
        return [
            *self.paid_events(invoice, at),
            self.event("customer.subscription.updated", self.subscription_id, at),
        ]

    def retry(self, at, *, paid):
        """Stripe tries the past-due invoice again."""
        invoice = self.subscription["latest_invoice"]
        self.charge_invoice(invoice, at=at, paid=paid)
        events = self.paid_events(invoice, at)
        if paid:
            self.subscription["status"] = "active"
            events.append(self.event("customer.subscription.updated", self.subscription_id, at))
        return events

    def give_up(self, at):
        """The last retry fails, and Stripe cancels the subscription (as it is set up to)."""
        invoice = self.subscription["latest_invoice"]
        self.charge_invoice(invoice, at=at, paid=False)
        self.end(at, reason="payment_failed")
        return [
            self.event("invoice.payment_failed", invoice, at),
            self.event("customer.subscription.deleted", self.subscription_id, at),
        ]

    def cancel_at_period_end(self, at, reason="Too expensive"):
        end = stamp(self.period()[1])
        self.subscription.update(cancel_at_period_end=True, cancel_at=end, canceled_at=stamp(at))
        self.subscription["metadata"]["cancel_reason"] = reason
        return [self.event("customer.subscription.updated", self.subscription_id, at)]

    def end(self, at, reason="cancellation_requested"):
        self.subscription.update(status="canceled", ended_at=stamp(at))
        self.subscription["cancellation_details"]["reason"] = reason
        return [self.event("customer.subscription.deleted", self.subscription_id, at)]

    def switch(self, at, price, *, amount, credit, debit):
        """The reader switches to `price` (of `amount` a year) in the portal mid-period: the
        unused time is credited, the rest of the period on `price` charged, at once."""
        start, end = self.period()
        old_price, self.price, self.amount = self.price, price, amount
        self.set_period(start, end)
        lines = [self.line(-credit, at, end, proration=True, price=old_price),
                 self.line(debit, at, end, proration=True)]  # fmt: skip
        invoice = self.invoice(lines, at=at, reason="subscription_update")
        self.subscription["latest_invoice"] = invoice
        return [
            self.event("customer.subscription.updated", self.subscription_id, at),
            *self.paid_events(invoice, at),
        ]

    def refund(self, at, invoice_id):
        intent = self.stub.objects[invoice_id]["payments"]["data"][0]["payment"]["payment_intent"]
        charge = self.stub.objects[self.stub.objects[intent]["latest_charge"]]
        charge.update(amount_refunded=charge["amount"], refunded=True)
        return [self.event("charge.refunded", charge["id"], at)]
