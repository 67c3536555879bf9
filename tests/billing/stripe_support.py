"""Stripe in the tests: the fake (tests/fakestripe.py, in a process of its own), a stub of its
API serving hand-written objects, and webhooks signed as Stripe signs them, delivered through the
test client — in the order, and as often, a test chooses."""

import copy
import json
import random
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe
from django.db import transaction

from billing.models import CheckoutAttempt, Customer, Notice, PaidSubscription, Payment
from paywall.models import Subscription
from tests.servers import ROOT, free_port, wait_for_port

KEY = "sk_test_12345"  # localstripe takes any sk_ key
SECRET = "whsec_test_secret"
WEBHOOK = "/billing/webhooks/stripe/"


def use_stripe(settings, api_base):
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = KEY
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = api_base


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FakeStripe:
    """The fake Stripe in a process of its own, on a free loopback port, stopped by its PID."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = stripe.StripeClient(KEY, base_addresses={"api": self.url})
        self.process = None

    def start(self):
        command = [sys.executable, "-m", "tests.fakestripe", "--port", str(self.port)]
        self.process = subprocess.Popen(command, cwd=ROOT)
        wait_for_port(self.port)
        return self

    def stop(self):
        self.process.terminate()  # SIGTERM to its PID
        self.process.wait(timeout=10)

    def request(self, method, path, data=None):
        body = json.dumps(data).encode() if data is not None else None
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, body, headers, method=method)
        with urllib.request.build_opener(NoRedirects).open(request, timeout=10) as response:
            return response.read()

    def reset(self):
        self.request("DELETE", "/_config/data")

    def events(self):
        """Every event since the last reset, oldest first, as Stripe would post them."""
        events, after = [], ""
        while True:
            page = json.loads(self.request("GET", f"/v1/events?limit=100{after}"))
            events += page["data"]
            if not page["has_more"]:
                return events
            after = f"&starting_after={page['data'][-1]['id']}"

    def pay(self, checkout_url, card="pm_card_visa"):
        """The reader pays at the checkout page: (status, where they are sent back to)."""
        try:
            self.request("GET", f"{urlsplit(checkout_url).path}?pm={card}")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")
        raise AssertionError("The checkout page neither redirected nor refused")


class StripeStub:
    """Stripe's API answering GETs from `objects` (id → object, written by the test): what a
    handler re-fetches is whatever the test says Stripe holds now. Invoices' `payments` come
    only when expanded, as Stripe's do."""

    def __init__(self):
        self.objects = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, body = stub.answer(self.path)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.requests = []

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add(self, *objects):
        for obj in objects:
            self.objects[obj["id"]] = copy.deepcopy(obj)

    def answer(self, path):
        parts = urlsplit(path)
        query = parse_qsl(parts.query)
        self.requests.append(parts.path)
        name = parts.path.rsplit("/", 1)[-1]
        if name == "invoice_payments":
            return 200, self.invoice_payments(dict(query).get("payment[payment_intent]"))
        if name not in self.objects:
            error = {"type": "invalid_request_error", "code": "resource_missing",
                     "message": f"No such object: '{name}'"}  # fmt: skip
            return 404, {"error": error}
        found = copy.deepcopy(self.objects[name])
        expand = [value for key, value in query if key.startswith("expand")]
        if found.get("object") == "invoice" and "payments" not in expand:
            found.pop("payments", None)
        for path in expand:
            self.expand(found, path.split("."))
        return 200, found

    def expand(self, obj, keys):
        if isinstance(obj, list):
            for each in obj:
                self.expand(each, keys)
            return
        if not isinstance(obj, dict) or keys[0] not in obj:
            return
        if isinstance(obj[keys[0]], str) and obj[keys[0]] in self.objects:
            obj[keys[0]] = copy.deepcopy(self.objects[obj[keys[0]]])
        if keys[1:]:
            self.expand(obj[keys[0]], keys[1:])

    def invoice_payments(self, payment_intent):
        found = [
            payment
            for obj in self.objects.values()
            for payment in (obj.get("payments") or {}).get("data", [])
            if payment["payment"].get("payment_intent") == payment_intent
        ]
        return {"object": "list", "data": found, "has_more": False}


def signature(payload, *, secret=SECRET, at=None):
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=at)


def post_event(client, event, *, secret=SECRET, at=None):
    """`event` posted to the webhook as Stripe posts it, signed with `secret` at time `at`."""
    payload = json.dumps(event)
    return client.post(
        WEBHOOK,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(payload, secret=secret, at=at),
    )


def deliver(client, events):
    """Each event, signed now, to the webhook: what the site answered to each."""
    outcomes = []
    for event in events:
        response = post_event(client, event)
        assert response.status_code == 200, (event["type"], response.content)
        outcomes.append(response.content.decode())
    return outcomes


def scrambled(events, *, seed, duplicates=3):
    """`events` shuffled, with `duplicates` of them delivered twice."""
    chance = random.Random(seed)
    events = events + chance.sample(events, duplicates)
    chance.shuffle(events)
    return events


@contextmanager
def rolled_back():
    """What the site writes inside is undone afterwards (what Stripe holds stays as it is)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rows():
    """What the site holds about money, by natural keys (no ids, no sync times): the same,
    whatever the order the events came in."""
    return {
        "subscriptions": sorted(PaidSubscription.objects.values_list(
            "external_id", "customer__external_id", "price", "status", "started_at",
            "current_period_end", "trial_end", "cancel_at_period_end", "cancel_reason",
            "ended_at", "entitlement__ends_at",
        )),
        "payments": sorted(Payment.objects.values_list(
            "external_id", "subscription__external_id", "status", "amount", "amount_refunded",
            "currency", "period_start", "period_end", "paid_at", "attempts", "charge_id",
            "method",
        )),
        "entitlements": sorted(Subscription.objects.values_list(
            "user__email", "plan__slug", "starts_at", "ends_at", "cancelled_at", "source", "note"
        )),
        "checkouts": sorted(CheckoutAttempt.objects.values_list("external_id", "status")),
        "customers": sorted(Customer.objects.values_list("external_id", "payment_method")),
        "notices": sorted(Notice.objects.values_list("key", flat=True)),
    }  # fmt: skip
