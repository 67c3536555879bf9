"""The demo's prices: what each plan costs, monthly and yearly (amounts in cents)."""

from billing.models import Price
from paywall.models import Plan

DEMO_PRICES = {
    "homestead": [("year", 3200), ("month", 400)],
    "health-letter": [("year", 2400)],
    "backyard-poultry": [("year", 2800), ("month", 300)],
    "all-access": [("year", 6000)],
}


def ensure_prices():
    """Give each demo plan its prices, unless editors have priced it already."""
    for slug, prices in DEMO_PRICES.items():
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None or plan.prices.exists():
            continue
        for interval, amount in prices:
            Price.objects.create(plan=plan, interval=interval, amount=amount)
