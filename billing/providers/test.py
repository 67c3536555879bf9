"""The test provider: a payment provider of our own, for development and demos. No money moves.

Its checkout page and customer portal are pages of this site, clearly labelled; its events go
through the same receiving, re-fetching and syncing as Stripe's webhooks. Staff make time pass
from the admin: a renewal paid, a renewal failed, a retry, the last retry given up.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from billing.checkout import covering_until
from billing.models import CheckoutAttempt, Price
from billing.providers import CheckoutSnapshot, Declined
from billing.providers.local import LocalProvider, stamp
from magazine.site import absolute_url
from paywall.access import can_read_edition
from paywall.readers import reader_for_user

CARDS = ["Visa ending 4242", "Mastercard ending 4444"]


def already_readable(attempt):
    """Whether the reader of a single issue's checkout can read that issue already (bought in
    another tab, subscribed meanwhile): this checkout, as Stripe's cannot, refuses to charge."""
    issue = attempt.edition_order.issue
    return bool(can_read_edition(reader_for_user(attempt.user), issue, now=timezone.now()))


class TestProvider(LocalProvider):
    name = "test"
    default_card = CARDS[0]

    def start_checkout(self, attempt, customer_id, *, success_url, cancel_url):
        item = attempt.one_off()._asdict() if attempt.is_one_off else {}
        record = self.new(
            "checkout", "cs", attempt_id=str(attempt.pk), price_id=attempt.price_id,
            kind=attempt.kind, customer=customer_id, user_id=attempt.user_id, status="open",
            success_url=success_url, cancel_url=cancel_url, item=item,
        )  # fmt: skip
        url = absolute_url(reverse("billing:test_checkout", args=[record.external_id]))
        return record.external_id, url

    def expire_checkout(self, session_id):
        """As Stripe's: False if the checkout was paid meanwhile."""
        status = self.change(session_id).data["status"]  # locked: a payment waits, or is done
        if status == "open":
            self.change(session_id, status="expired")
        return status != "complete"

    def portal_url(self, customer_id, return_url):
        self.record(customer_id)
        return absolute_url(reverse("billing:test_portal", args=[customer_id]))

    def fetch_checkout(self, session_id):
        data = self.record(session_id).data
        return CheckoutSnapshot(
            external_id=session_id,
            attempt_id=data["attempt_id"],
            complete=data["status"] == "complete",
            customer_id=data["customer"],
            subscription_id=data.get("subscription", ""),
            payment_id=data.get("invoice", "") if data["kind"] != "subscription" else "",
        )

    # What the reader does on its pages --------------------------------------------------------

    @transaction.atomic
    def pay(self, session_id, *, succeed):
        """The reader pays at the checkout page (or their card is declined, and nothing
        happens: they may try again). Paying twice pays once."""
        session = self.change(session_id)  # locked: a double submit waits, then finds it paid
        data = session.data
        if data["status"] == "complete":
            return data["success_url"]
        if data["status"] == "expired":
            raise Declined("This checkout was replaced by a newer choice: nothing was charged.")
        if not succeed:
            raise Declined("Your card was declined. Nothing was charged: try another card.")
        now = timezone.now()
        if data["kind"] != "subscription":
            attempt = CheckoutAttempt.objects.get(pk=data["attempt_id"])
            if attempt.kind == CheckoutAttempt.Kind.EDITION and already_readable(attempt):
                raise Declined("You can already read this issue: nothing was charged.")
            item = self.item(data)
            invoice = self.charge_once(
                data["customer"], item["amount"], item["currency"], attempt_id=data["attempt_id"],
                method=self.card(data["customer"]),
            )  # fmt: skip
            self.change(session_id, status="complete", invoice=invoice.external_id)
        else:
            price = Price.objects.select_related("plan").get(pk=data["price_id"])
            user = get_user_model().objects.get(pk=data["user_id"])
            if covering_until(user, price.plan, now=now):
                raise Declined("You already subscribe to all of this: nothing was charged.")
            subscription = self.subscribe(
                customer=data["customer"], user_id=data["user_id"], price=price, start=now,
                method=self.card(data["customer"]),
            )  # fmt: skip
            self.change(session_id, status="complete", subscription=subscription.external_id)
        self.emit("checkout.session.completed", session_id)
        return data["success_url"]

    def item(self, data):
        """What a one-time checkout sells, as it was opened (a checkout opened before checkouts
        kept it: as its attempt says now)."""
        if "item" in data:
            return data["item"]
        return CheckoutAttempt.objects.get(pk=data["attempt_id"]).one_off()._asdict()

    def card(self, customer_id):
        return self.record(customer_id).data["card"]

    @transaction.atomic
    def change_card(self, customer_id):
        card = self.card(customer_id)
        self.change(customer_id, card=CARDS[(CARDS.index(card) + 1) % len(CARDS)])
        self.emit("customer.updated", customer_id)

    def invoices_of(self, customer_id):
        """The customer's invoices, newest first, as its portal lists them."""
        records = self.records("invoice").order_by("-created_at")
        return [record for record in records if record.data["customer"] == customer_id]

    @transaction.atomic
    def dispute(self, payment):
        """The reader's bank disputes a payment."""
        dispute = self.new("dispute", "dp", charge=payment.charge_id, stamp=stamp(timezone.now()))
        self.emit("charge.dispute.created", dispute.external_id)
