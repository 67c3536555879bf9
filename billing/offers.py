"""What a publication's subscribe page offers: its own plans and the bundles that include it,
each with its prices and what it gives."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from billing.models import Price
from paywall.models import Plan


@dataclass
class Offer:
    plan: Plan
    prices: list = field(default_factory=list)
    covered_until: object = None  # when the reader's access to all of it ends, if they have it

    @property
    def publications(self):
        return list(self.plan.publications.all())

    @property
    def is_bundle(self):
        return len(self.publications) > 1

    @property
    def gives(self):
        """What a subscriber gets, line by line."""
        names = ", ".join(publication.name for publication in self.publications)
        lines = [f"Every article of {names} on the website, and its archive"]
        lines += [
            f"{publication.print_issues_per_year} printed issues a year of {publication.name}, "
            "by post"
            for publication in self.publications
            if publication.print_issues_per_year
        ]
        return lines


def offers_for(publication):
    """The offered plans that give `publication`, each with its active prices: the plans of that
    publication alone first, then the bundles, cheapest first."""
    plans = (
        Plan.objects.filter(is_offered=True, publications=publication)
        .prefetch_related(
            "publications",
            Prefetch("prices", Price.objects.filter(active=True).order_by("interval")),
        )
        .distinct()
    )
    offers = [Offer(plan, list(plan.prices.all())) for plan in plans]
    offers = [offer for offer in offers if offer.prices]
    return sorted(offers, key=lambda o: (o.is_bundle, min(p.yearly_amount for p in o.prices)))
