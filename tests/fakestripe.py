"""A fake Stripe for the tests: localstripe, on 127.0.0.1 only, keeping nothing on disk, with what
it lacks and the site uses:

- Checkout Sessions (`POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`, `POST
  /v1/checkout/sessions/{id}/expire`), and the
  reader paying at one (`GET /_config/fake/checkout/{id}?pm=pm_card_visa`): the subscription, or
  the paid invoice of a one-time payment, is made through localstripe's own classes, the session
  completes, `checkout.session.completed` is sent and the reader is redirected to the success URL;
- Billing Portal sessions (`POST /v1/billing_portal/sessions`, a page that names the customer);
- subscription schedules made from a subscription, updated and released (their phases kept,
  not run), and `schedule` on subscriptions;
- `customer.subscription.updated` on every update, `charge.refunded` on every refund, and a
  subscription's metadata kept on update (localstripe does none of these);
- invoices' `payments` and charges' `payment_method_details`, as the current API has them;
- `price` (of a line item, or of an update's item) read as a localstripe plan id: it has plans,
  no prices, so a `Price.stripe_price_id` in the tests names a plan;
- `DELETE /_config/webhooks/{id}`; and `DELETE /_config/data` also drops the webhooks still
  waiting to be sent (localstripe sends each a second later), so none reaches the next test.

Not emulated: trials (`subscription_data.trial_period_days` is accepted and ignored: the
subscription is charged at once), coupons, time passing. Objects answer in localstripe's older
shapes (periods on the subscription, `plan` on its item, `charge` on an invoice); the current
shapes are tested with hand-written objects. Test tooling only: localstripe is GPL-3.0, a dev
dependency, and nothing of `billing` imports it or this module.
`python -m tests.fakestripe --port 8420` runs it.
"""

import argparse
import asyncio
import time

from aiohttp import web
from localstripe import resources, server, webhooks
from localstripe.errors import UserError
from localstripe.resources import (
    Charge,
    Customer,
    Event,
    Invoice,
    InvoiceItem,
    PaymentMethod,
    Plan,
    Refund,
    StripeObject,
    Subscription,
    random_id,
)

BASE = "http://127.0.0.1:8420"  # where the reader's browser finds us; set by main()

resources.Store.dump_to_disk = lambda self: None  # localstripe pickles to /tmp on every write
resources.Store.try_load_from_disk = lambda self: None


def tell(type, obj):
    resources.schedule_webhook(Event(type, obj))


class CheckoutSession(StripeObject):
    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(self, mode=None, success_url=None, cancel_url=None, line_items=None,
                 customer=None, customer_email=None, client_reference_id=None, metadata=None,
                 subscription_data=None, invoice_creation=None, **unexpected):  # fmt: skip
        if unexpected:
            raise UserError(400, "Unexpected " + ", ".join(unexpected))
        if mode not in ("subscription", "payment") or not success_url:
            raise UserError(400, "Bad request")
        if not isinstance(line_items, list) or len(line_items) != 1:
            raise UserError(400, "One line item, please")
        if mode == "subscription":
            Plan._api_retrieve(str(line_items[0].get("price")))  # 404 if unknown
        elif "price_data" not in line_items[0]:
            raise UserError(400, "A payment needs price_data")
        if customer:
            Customer._api_retrieve(customer)
        super().__init__()
        self.mode = mode
        self.status = "open"
        self.payment_status = "unpaid"
        self.customer = customer
        self.customer_email = customer_email
        self.client_reference_id = client_reference_id
        self.metadata = metadata or {}
        self.success_url = success_url
        self.cancel_url = cancel_url
        self.subscription = None
        self.invoice = None
        self.url = f"{BASE}/_config/fake/checkout/{self.id}"
        self._item = line_items[0]
        self._subscription_data = subscription_data or {}
        self._invoice_creation = invoice_creation or {}

    def _pay(self, method_id):
        """The reader pays with `method_id` (a test card such as pm_card_visa)."""
        method = PaymentMethod._api_retrieve(method_id)
        if method._charging_is_declined():
            raise UserError(402, "Your card was declined.", {"code": "card_declined"})
        customer = self.customer or Customer(email=self.customer_email).id
        PaymentMethod._api_attach(method.id, customer=customer)
        Customer._api_update(customer, invoice_settings={"default_payment_method": method.id})
        quantity = int(self._item.get("quantity") or 1)
        if self.mode == "subscription":
            self.subscription = Subscription(
                customer=customer,
                items=[{"plan": self._item["price"], "quantity": quantity}],
                metadata=self._subscription_data.get("metadata"),
            ).id
        elif str(self._invoice_creation.get("enabled")).lower() == "true":
            self.invoice = self._paid_invoice(customer, self._item["price_data"], quantity)
        self.customer = customer
        self.status = "complete"
        self.payment_status = "paid"
        tell("checkout.session.completed", self)

    def _paid_invoice(self, customer, price, quantity):
        InvoiceItem(
            customer=customer,
            amount=int(price["unit_amount"]) * quantity,
            currency=price["currency"],
            description=(price.get("product_data") or {}).get("name"),
        )
        invoice_data = self._invoice_creation.get("invoice_data") or {}
        invoice = Invoice(customer=customer, metadata=invoice_data.get("metadata"))
        invoice._finalize()
        Invoice._api_pay_invoice(invoice.id)
        return invoice.id


async def pay(request):
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    if session.status == "open":
        session._pay(request.query.get("pm", "pm_card_visa"))
    raise web.HTTPFound(session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id))


class SubscriptionSchedule(StripeObject):
    """A subscription's schedule, as the site uses one: made from the subscription, its phases
    replaced, released. The phases are kept, not run: localstripe has no time passing."""

    object = "subscription_schedule"
    _id_prefix = "sched_"  # not Stripe's sub_sched_: localstripe would read that as a sub_

    def __init__(self, from_subscription=None, **unexpected):
        if unexpected or not from_subscription:
            raise UserError(400, "A schedule is made from a subscription here")
        subscription = Subscription._api_retrieve(from_subscription)
        if subscription.schedule:
            raise UserError(400, "The subscription is already attached to a schedule")
        super().__init__()
        item = subscription.items._list[0]
        self.subscription = subscription.id
        self.status = "active"
        self.end_behavior = "release"
        self.phases = [{
            "items": [{"price": item.plan.id, "quantity": item.quantity}], "metadata": {},
            "start_date": subscription.current_period_start,
            "end_date": subscription.current_period_end,
        }]  # fmt: skip
        subscription.schedule = self.id

    @classmethod
    def _api_update(cls, id, phases=None, end_behavior=None, proration_behavior=None, **unexpected):
        schedule = cls._api_retrieve(id)
        if unexpected or schedule.status != "active" or not isinstance(phases, list):
            raise UserError(400, "Bad request")
        previous_end = None
        for phase in phases:  # dates as Stripe answers them: each phase starts as one ends
            for key in ("start_date", "end_date"):
                if key in phase:
                    phase[key] = int(phase[key])  # form-encoded: every value a string
            phase.setdefault("start_date", previous_end)
            previous_end = phase.get("end_date")
        schedule.phases = phases
        schedule.end_behavior = end_behavior or schedule.end_behavior
        return schedule

    @classmethod
    def _api_release(cls, id, **unexpected):
        schedule = cls._api_retrieve(id)
        if schedule.status != "active":
            raise UserError(400, "Only an active schedule can be released")
        schedule.status = "released"
        Subscription._api_retrieve(schedule.subscription).schedule = None
        return schedule


Subscription.schedule = None  # exported (and expandable) on every subscription


async def expire_session(request):
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    if session.status != "open":
        raise UserError(400, 'Only Checkout Sessions with a status in ["open"] can be expired.')
    session.status = "expired"
    tell("checkout.session.expired", session)
    return server.json_response(session._export())


async def create_portal_session(request):
    data = await server.get_post_data(request) or {}
    customer = Customer._api_retrieve(str(data.get("customer")))
    return server.json_response({
        "id": "bps_" + random_id(14), "object": "billing_portal.session", "livemode": False,
        "created": int(time.time()), "customer": customer.id,
        "return_url": data.get("return_url"), "url": f"{BASE}/_config/fake/portal/{customer.id}",
    })  # fmt: skip


async def portal(request):
    return web.Response(text=f"The Billing Portal of {request.match_info['customer']}.")


async def forget_webhook(request):
    webhooks._webhooks.pop(request.match_info["id"], None)
    return web.Response()


# Stripe's current names for what localstripe has under others -------------------------------

_update_subscription = Subscription._update


def update_subscription(self, items=None, proration_behavior=None, metadata=None, **data):
    """localstripe's update, with `items[].price` read as a plan, `proration_behavior` accepted
    (its proration is always "Unused time" credit), the metadata kept (it drops it; "" removes
    a key, as at Stripe), a trial_end in the future making it trialing till then, and Stripe's
    event sent."""
    if items is not None:
        items = [as_plan(item) for item in items]
    _update_subscription(self, items=items, **data)
    if self.trial_end and self.trial_end > time.time():  # as Stripe: free till then
        self.status = "trialing"
    for key, value in (metadata or {}).items():
        if value == "":
            self.metadata.pop(key, None)
        else:
            self.metadata[key] = value
    tell("customer.subscription.updated", self)


def as_plan(item):
    """A subscription item of Stripe's, `price` named as localstripe's `plan`."""
    plan = item.get("price") or item.get("plan")
    return {**{key: value for key, value in item.items() if key != "price"}, "plan": plan}


@classmethod
def refund_and_tell(cls, **data):
    refund = cls(**data)
    tell("charge.refunded", Charge._api_retrieve(refund.charge))
    return refund


def invoice_payments(self):
    """The payments of an invoice as the current API expands them (not `charge`)."""
    paid = []
    if self.payment_intent:
        paid.append({
            "object": "invoice_payment", "invoice": self.id, "amount_paid": self.amount_paid,
            "status": "paid" if self.status == "paid" else "open", "is_default": True,
            "payment": {"type": "payment_intent", "payment_intent": self.payment_intent},
        })  # fmt: skip
    return {"object": "list", "data": paid, "has_more": False, "url": "/v1/invoice_payments"}


def charge_method(self):
    card = getattr(PaymentMethod._api_retrieve(self.payment_method), "card", None)
    return {"type": "card", "card": card} if card else None


_pending = set()


def schedule_webhook(event):
    """localstripe's sending (a second later), forgotten by a reset: a test's webhooks never
    reach the next test's endpoint."""
    task = asyncio.ensure_future(webhooks._send_webhook(event))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


def clear_store(self):
    for task in list(_pending):
        task.cancel()
    dict.clear(self)


resources.schedule_webhook = schedule_webhook
resources.Store.clear = clear_store
Subscription._update = update_subscription
Refund._api_create = refund_and_tell
Invoice.payments = property(invoice_payments)
Charge.payment_method_details = property(charge_method)

app = server.app
app.router.add_post("/v1/checkout/sessions", server.api_create(CheckoutSession, None))
app.router.add_get("/v1/checkout/sessions/{id}", server.api_retrieve(CheckoutSession, None))
app.router.add_post("/v1/checkout/sessions/{id}/expire", expire_session)
app.router.add_post(
    "/v1/subscription_schedules/{id}/release",
    server.api_extra(SubscriptionSchedule._api_release, None),
)
app.router.add_post("/v1/subscription_schedules", server.api_create(SubscriptionSchedule, None))
app.router.add_get(
    "/v1/subscription_schedules/{id}", server.api_retrieve(SubscriptionSchedule, None)
)
app.router.add_post(
    "/v1/subscription_schedules/{id}", server.api_update(SubscriptionSchedule, None)
)
app.router.add_get("/_config/fake/checkout/{id}", pay)
app.router.add_post("/v1/billing_portal/sessions", create_portal_session)
app.router.add_get("/_config/fake/portal/{customer}", portal)
app.router.add_delete("/_config/webhooks/{id}", forget_webhook)


def main():
    global BASE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    BASE = f"http://127.0.0.1:{port}"
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
