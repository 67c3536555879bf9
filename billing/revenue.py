"""The figures of the revenue page, each a small function over querysets that says what it counts.

Amounts are in minor units and kept apart per currency (`{"usd": 3200}`); "this month" is the
calendar month of `now` in the site's time zone. Every function makes one query, whatever the
number of subscribers.
"""

from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, F, Min, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.models import GiftSubscription, Interval, PaidSubscription, Payment, WebhookEvent
from magazine.models import Publication
from paywall.models import Plan, grace_period

Status = PaidSubscription.Status
NEVER_PAID = (Status.INCOMPLETE, Status.INCOMPLETE_EXPIRED)


def month_start(now):
    """The first moment of `now`'s calendar month, in the site's time zone."""
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def paying(subscriptions, *, now):
    """The subscriptions someone pays for now: active, or past due while the payment is tried
    again; not free trials, and not one whose paid period and grace have run out (a cheque
    subscription that was not paid again stays "active" at its provider)."""
    return subscriptions.filter(status__in=[Status.ACTIVE, Status.PAST_DUE]).exclude(
        current_period_end__lte=now - grace_period()
    )


def renewing(subscriptions):
    """The subscriptions that will renew (Ghost's rule for recurring revenue): active or past
    due, not in a free trial, not set to end at the end of their period."""
    return subscriptions.filter(
        status__in=[Status.ACTIVE, Status.PAST_DUE], cancel_at_period_end=False
    )


def subscribers_per_publication(subscriptions, *, now):
    """Every publication, each with `subscribers`: the readers paying for a plan that gives it
    (its own or a bundle), each reader counted once."""
    paid = "plans__prices__subscriptions"
    return Publication.objects.annotate(
        subscribers=Count(
            f"{paid}__customer__user",
            filter=Q(**{f"{paid}__in": paying(subscriptions, now=now).values("pk")}),
            distinct=True,
        )
    )


def subscribers_per_bundle(subscriptions, *, now):
    """Every bundle (a plan of several publications), each with `subscribers`: the readers
    paying for it, each counted once."""
    return Plan.objects.annotate(
        titles=Count("publications", distinct=True),
        subscribers=Count(
            "prices__subscriptions__customer__user",
            filter=Q(prices__subscriptions__in=paying(subscriptions, now=now).values("pk")),
            distinct=True,
        ),
    ).filter(titles__gt=1)


def monthly_recurring_revenue(subscriptions):
    """What the renewing subscriptions bring in a month, per currency: a monthly price whole, a
    yearly one a twelfth (rounded once, on the total)."""
    yearly = Case(
        When(price__interval=Interval.MONTH, then=F("price__amount") * 12),
        default=F("price__amount"),
        output_field=BigIntegerField(),
    )
    totals = (
        renewing(subscriptions)
        .values("price__currency")
        .annotate(yearly=Sum(yearly))
        .order_by("price__currency")
    )
    return {row["price__currency"]: (row["yearly"] + 6) // 12 for row in totals}


def new_this_month(subscriptions, *, now):
    """Subscriptions started this month, free trials included, checkouts never paid not."""
    started = subscriptions.filter(started_at__gte=month_start(now), started_at__lte=now)
    return started.exclude(status__in=NEVER_PAID).count()


def cancelled_this_month(subscriptions, *, now):
    """Subscriptions cancelled this month: set not to renew this month (and not resumed), or
    ended this month without having been set not to renew in an earlier month — so that a
    reader who cancels in March, and whose year runs out in April, counts in March only. A
    subscription paid by cheque never renews by itself: it counts when it ends."""
    start = month_start(now)
    stopped = Q(renewal_stopped_at__gte=start, renewal_stopped_at__lte=now)
    ended = Q(status=Status.CANCELED, ended_at__gte=start, ended_at__lte=now) & ~Q(
        renewal_stopped_at__lt=start
    )
    return subscriptions.filter(stopped | ended).count()


def past_due(subscriptions):
    """The past-due subscriptions, longest unpaid first, each with `since`: when the period left
    unpaid began (the first failed payment's period, else the end of the last one paid)."""
    failed = Q(payments__status=Payment.Status.FAILED)
    return (
        subscriptions.filter(status=Status.PAST_DUE)
        .select_related("customer__user", "price__plan")
        .annotate(
            since=Coalesce(Min("payments__period_start", filter=failed), "current_period_end")
        )
        .order_by("since", "pk")
    )


def refunds_this_month(payments, *, now):
    """What was refunded of the payments whose latest refund was this month, per currency (both
    our providers refund a payment whole; a part refunded in an earlier month counts again)."""
    refunded = payments.filter(refunded_at__gte=month_start(now), refunded_at__lte=now)
    totals = refunded.values("currency").annotate(sum=Sum("amount_refunded")).order_by("currency")
    return {row["currency"]: row["sum"] for row in totals}


def disputes_this_month(events, *, now):
    """Disputes opened this month: the providers' dispute events received this month, one per
    dispute however often it was delivered."""
    opened = events.filter(
        type="charge.dispute.created", received_at__gte=month_start(now), received_at__lte=now
    )
    return opened.values("provider", "object_id").distinct().count()


def gifts_this_month(gifts, *, now):
    """Gifts paid for (`sold`) and redeemed (`redeemed`) this month, and those paid for and
    neither redeemed nor expired (`waiting`), whenever they were bought."""
    start = month_start(now)
    return gifts.aggregate(
        sold=Count("pk", filter=Q(paid_at__gte=start, paid_at__lte=now)),
        redeemed=Count("pk", filter=Q(redeemed_at__gte=start, redeemed_at__lte=now)),
        waiting=Count(
            "pk",
            filter=Q(paid_at__isnull=False, redeemed_at__isnull=True, expires_at__gt=now),
        ),
    )


def figures(*, now):
    """Everything the revenue page shows, for the whole site."""
    subscriptions = PaidSubscription.objects.all()
    return {
        "publications": subscribers_per_publication(subscriptions, now=now),
        "bundles": subscribers_per_bundle(subscriptions, now=now),
        "mrr": monthly_recurring_revenue(subscriptions),
        "new": new_this_month(subscriptions, now=now),
        "cancelled": cancelled_this_month(subscriptions, now=now),
        "past_due": past_due(subscriptions),
        "refunds": refunds_this_month(Payment.objects.all(), now=now),
        "disputes": disputes_this_month(WebhookEvent.objects.all(), now=now),
        "gifts": gifts_this_month(GiftSubscription.objects.all(), now=now),
        "month": month_start(now),
    }


# The subscribers export -----------------------------------------------------------------------

COLUMNS = ["Email", "Name", "Plan", "Price", "Currency", "Interval", "Status", "Started",
           "Renews on", "Ends on", "Provider"]  # fmt: skip
# A spreadsheet runs a cell beginning with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` as a CSV cell no spreadsheet runs: one that could start a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def major_units(amount):
    """An amount in minor units as a decimal of major units: 3200 is 32.00."""
    return Decimal(amount).scaleb(-2)


def day(moment):
    return timezone.localtime(moment).date().isoformat() if moment else ""


def subscriber_rows(subscriptions):
    """The header, then one row per subscription (every one that was ever paid for or
    trialled), each cell safe to open in a spreadsheet."""
    yield COLUMNS
    rows = (
        subscriptions.exclude(status__in=NEVER_PAID)
        .select_related("customer__user", "price__plan")
        .order_by("started_at", "pk")
    )
    for paid in rows.iterator(chunk_size=500):
        renews = paid.is_live and not paid.cancel_at_period_end
        ends = paid.ended_at if paid.status in PaidSubscription.TERMINAL else None
        if paid.is_live and not renews:
            ends = paid.current_period_end
        row = [
            paid.customer.user.email,
            paid.customer.user.display_name,
            paid.price.plan.name,
            major_units(paid.price.amount),
            paid.price.currency.upper(),
            paid.price.get_interval_display(),
            paid.get_status_display(),
            day(paid.started_at),
            day(paid.current_period_end) if renews else "",
            day(ends),
            paid.provider,
        ]
        yield [spreadsheet_safe(cell) for cell in row]
