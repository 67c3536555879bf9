"""The webhook row of `make bench`: how many Stripe events a second the site takes in.

Starts the tests' fake Stripe (tests/fakestripe.py: localstripe, a development dependency), has
it sell `--webhook-subscriptions` subscriptions to readers of the benchmark database (each makes
the events a real signup makes: customer, invoice, payment, subscription), then posts every event
it recorded to the site's `/billing/webhooks/stripe/`, signed as Stripe signs them, a few at a
time. Each event the site acts on is fetched again from the fake and synced under a row lock, as
in production. Reports events per second over the whole delivery, and how many were acted on.
"""

import json
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import stripe

KEY = "sk_test_benchmark"
SECRET = "whsec_benchmark"
PLAN = "bench-yearly"


@dataclass
class WebhookRun:
    events: int
    acted_on: int
    seconds: float
    failures: int
    concurrency: int

    @property
    def per_second(self):
        return self.events / self.seconds


def stripe_env(port):
    """What the site needs to take the fake's webhooks and fetch from it."""
    return {
        "STRIPE_SECRET_KEY": KEY,
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "STRIPE_API_BASE": f"http://127.0.0.1:{port}",
    }


def start_fake(root, port):
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakestripe", "--port", str(port)], cwd=root
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/events", timeout=1)
        except urllib.error.HTTPError:
            return process  # it answers (401 without a key)
        except OSError:
            time.sleep(0.2)
        else:
            return process
    process.terminate()
    raise SystemExit("bench: the fake Stripe did not start")


def readers_with_a_price(root, env, count):
    """Ids of `count` readers, after giving the benchmark a price for the fake's plan (and
    forgetting what an earlier run bought: the fake starts empty each time)."""
    script = (
        "import json; from django.contrib.auth import get_user_model;"
        "from billing.models import Customer, PaidSubscription, Payment, Price, WebhookEvent;"
        "from paywall.models import Plan, Subscription;"
        "earlier = PaidSubscription.objects.filter(provider='stripe');"
        "entitlements = list(earlier.values_list('entitlement', flat=True));"
        "Payment.objects.filter(provider='stripe').delete(); earlier.delete();"
        "Subscription.objects.filter(pk__in=entitlements).delete();"
        "Customer.objects.filter(provider='stripe').delete();"
        "WebhookEvent.objects.filter(provider='stripe').delete();"
        "plan = Plan.objects.get(slug='homestead');"
        f"Price.objects.filter(stripe_price_id='{PLAN}').exists() or Price.objects.create("
        f"plan=plan, interval='year', amount=3200, stripe_price_id='{PLAN}', active=False);"
        "users = get_user_model().objects.filter(is_staff=False).order_by('pk');"
        f"print(json.dumps(list(users.values_list('pk', flat=True)[:{count}])))"
    )
    found = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=root, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(found.strip().splitlines()[-1])


def sell(client, user_ids):
    """A subscription for each reader, made at the fake as Checkout would make it."""
    client.v1.plans.create(
        {
            "id": PLAN,
            "amount": 3200,
            "currency": "usd",
            "interval": "year",
            "product": {"name": "Homestead Almanac"},
        }
    )
    for user_id in user_ids:
        customer = client.v1.customers.create({"metadata": {"user_id": str(user_id)}})
        client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
        client.v1.customers.update(
            customer.id, {"invoice_settings": {"default_payment_method": "pm_card_visa"}}
        )
        client.v1.subscriptions.create(
            {
                "customer": customer.id,
                "items": [{"plan": PLAN}],
                "metadata": {"user_id": str(user_id)},
            }
        )


def recorded_events(port):
    events, after = [], ""
    while True:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/events?limit=100{after}",
            headers={"Authorization": f"Bearer {KEY}"},
        )
        page = json.loads(urllib.request.urlopen(request, timeout=10).read())
        events += page["data"]
        if not page["has_more"]:
            return list(reversed(events))  # oldest first
        after = f"&starting_after={page['data'][-1]['id']}"


def deliver(site_port, events, concurrency):
    """Post each event, signed, `concurrency` at a time: (seconds, answers)."""

    def post(event):
        payload = json.dumps(event)
        request = urllib.request.Request(
            f"http://127.0.0.1:{site_port}/billing/webhooks/stripe/",
            payload.encode(),
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(
                    payload, SECRET
                ),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}"

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = list(pool.map(post, events))
    return time.perf_counter() - started, answers


def measure(root, env, site_port, fake_port, *, subscriptions, concurrency=4):
    fake = start_fake(root, fake_port)
    try:
        client = stripe.StripeClient(KEY, base_addresses={"api": f"http://127.0.0.1:{fake_port}"})
        sell(client, readers_with_a_price(root, env, subscriptions))
        events = recorded_events(fake_port)
        seconds, answers = deliver(site_port, events, concurrency)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    return WebhookRun(
        events=len(events),
        acted_on=answers.count("processed"),
        seconds=seconds,
        failures=sum(1 for answer in answers if answer.startswith("HTTP")),
        concurrency=concurrency,
    )
