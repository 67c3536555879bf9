"""The demo's prices: what each plan costs, monthly and yearly, and what one issue of the print
magazine costs on its own (amounts in cents)."""

from billing.models import Price, SingleIssuePrice
from magazine.models import Publication
from paywall.models import Plan

DEMO_PRICES = {
    "homestead": [("year", 3200), ("month", 400)],
    "health-letter": [("year", 2400)],
    "backyard-poultry": [("year", 2800), ("month", 300)],
    "all-access": [("year", 6000)],
}


# Back issues of the print magazine, as digital editions.
DEMO_SINGLE_ISSUES = {"homestead": 450}


def ensure_prices():
    """Give each demo plan its prices, and the print magazine its single-issue price, unless
    editors have priced them already."""
    for slug, prices in DEMO_PRICES.items():
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None or plan.prices.exists():
            continue
        for interval, amount in prices:
            Price.objects.create(plan=plan, interval=interval, amount=amount)
    for slug, amount in DEMO_SINGLE_ISSUES.items():
        publication = Publication.objects.filter(slug=slug).first()
        if publication is not None:
            SingleIssuePrice.objects.get_or_create(
                publication=publication, defaults={"amount": amount}
            )
