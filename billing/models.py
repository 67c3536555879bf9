"""What the site knows of the money: prices, the provider's customers and subscriptions as last
synced, payments, the webhook events received, gift subscriptions, single issues bought.

None of it decides who may read: a paid subscription keeps one `paywall.Subscription` (its
entitlement) up to date, and the paywall reads that, as it reads every other subscription.
"""

import calendar
import uuid
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property

from magazine.models import Issue, Publication
from paywall.models import EditionAccess, Plan


def default_currency():
    return settings.BILLING_CURRENCY


class Interval(models.TextChoices):
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


class PriceQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(active=True, plan__is_offered=True)


class Price(models.Model):
    """What a plan costs, paid monthly or yearly."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="prices")
    interval = models.CharField(max_length=10, choices=Interval.choices, default=Interval.YEAR)
    amount = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="In cents (or the currency's minor unit)."
    )
    currency = models.CharField(max_length=3, default=default_currency)
    trial_days = models.PositiveSmallIntegerField(
        default=0, help_text="Free days before the first payment (0: none)."
    )
    active = models.BooleanField(
        default=True, help_text="Untick to archive: no new subscriptions, existing ones go on."
    )
    stripe_price_id = models.CharField(
        "Stripe price id", max_length=255, blank=True, help_text="The Price in Stripe: price_…"
    )

    objects = PriceQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "interval"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "interval"],
                condition=models.Q(active=True),
                name="one_active_price_per_plan_and_interval",
            )
        ]

    def __str__(self):
        return f"{self.plan}: {self.label}"

    @property
    def label(self):
        """ "$32 a year"."""
        return f"{self.amount_text} a {self.interval}"

    @property
    def amount_text(self):
        """ "$32"."""
        return format_amount(self.amount, self.currency)

    @property
    def yearly_amount(self):
        return self.amount * (12 if self.interval == Interval.MONTH else 1)


def period_end(start: datetime, interval):
    """A month or a year after `start`, as a provider bills: 31 January + a month is 28 (or
    29) February."""
    months = 12 if interval == Interval.YEAR else 1
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def format_amount(amount, currency):
    """An amount in minor units as readers read it: "$32", "$4.50", "€12"."""
    symbol = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}.get(
        currency.lower(), currency.upper() + " "
    )
    whole, cents = divmod(amount, 100)
    return f"{symbol}{whole:,}" + (f".{cents:02d}" if cents else "")


def format_day(moment, *, otherwise=""):
    """A day as readers read it, "2 January 2027", from a date or a moment (in the site's time
    zone); `otherwise` when there is none."""
    if moment is None:
        return otherwise
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "j F Y")


class Customer(models.Model):
    """A reader as a payment provider knows them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="billing_customers"
    )
    provider = models.CharField(max_length=20)
    external_id = models.CharField(max_length=255)
    payment_method = models.CharField(
        max_length=120, blank=True, help_text="As the provider describes it: “Visa ending 4242”."
    )
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="customer_once"),
        ]

    def __str__(self):
        return f"{self.user} at {self.provider}"


class SingleIssuePrice(models.Model):
    """What one issue's digital edition costs on its own, for a publication's readers without a
    subscription: a back issue (or the latest), paid once."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, related_name="single_issue_price"
    )
    amount = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="In cents (or the currency's minor unit)."
    )
    currency = models.CharField(max_length=3, default=default_currency)
    active = models.BooleanField(
        "on sale", default=True, help_text="Untick to stop selling single issues."
    )

    class Meta:
        verbose_name = "single-issue price"

    def __str__(self):
        return f"{self.publication}: {self.amount_text} an issue"

    @property
    def amount_text(self):
        return format_amount(self.amount, self.currency)


class OneOff(NamedTuple):
    """What a one-time checkout sells, as the provider's checkout shows it."""

    name: str
    amount: int
    currency: str


class CheckoutAttempt(models.Model):
    """A reader on their way to pay for a price: its id names the provider's checkout session
    and keys every request made for it, so that no retry or second click pays twice."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETE = "complete", "Paid"
        EXPIRED = "expired", "Expired or abandoned"

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", "Subscription"
        GIFT = "gift", "Gift"
        EDITION = "edition", "Single issue"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkout_attempts"
    )
    price = models.ForeignKey(  # none for a single issue: its order says what it costs
        Price, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SUBSCRIPTION)
    provider = models.CharField(max_length=20)
    external_id = models.CharField("checkout session", max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True, help_text="Where the reader pays.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    next_path = models.CharField(
        max_length=500, blank=True, help_text="Where the reader was when they chose to pay."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status", "created_at"])]

    def __str__(self):
        what = self.price if self.price_id else self.one_off().name
        return f"{self.user}: {what} ({self.get_status_display()})"

    @property
    def is_one_off(self):
        return self.kind != self.Kind.SUBSCRIPTION

    def one_off(self):
        """What a one-time checkout sells: a gift year of its price's plan, or one issue."""
        if self.kind == self.Kind.EDITION:
            order = self.edition_order
            return OneOff(order.description, order.amount, order.currency)
        price = self.price
        return OneOff(f"A year of {price.plan.name}, as a gift", price.amount, price.currency)


class PaidSubscription(models.Model):
    """A subscription at a payment provider, as last synced: the provider's state, written
    whole each time (never patched from one event), and the entitlement it keeps current."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Waiting for the first payment"
        TRIALING = "trialing", "Free trial"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Payment failed, retrying"
        UNPAID = "unpaid", "Unpaid"
        CANCELED = "canceled", "Ended"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Never paid"

    TERMINAL = (Status.CANCELED, Status.INCOMPLETE_EXPIRED)
    LIVE = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)

    provider = models.CharField(max_length=20)
    external_id = models.CharField(max_length=255)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subscriptions")
    price = models.ForeignKey(Price, on_delete=models.PROTECT, related_name="subscriptions")
    next_price = models.ForeignKey(
        Price,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The price it switches to at its next renewal (the reader switched).",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    started_at = models.DateTimeField()
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=300, blank=True)
    renewal_stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was set not to renew (cleared if resumed)."
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    entitlement = models.OneToOneField(
        "paywall.Subscription",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paid_subscription",
    )
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="subscription_once"),
        ]

    def __str__(self):
        return f"{self.customer.user}: {self.price} ({self.get_status_display()})"

    @property
    def renewal_price(self):
        """What the next renewal charges."""
        return self.next_price or self.price

    @cached_property
    def has_paid_before(self):
        """Whether any money was taken for it (a trial's $0 invoice is not)."""
        return self.payments.filter(status=Payment.Status.PAID, amount__gt=0).exists()

    @property
    def is_live(self):
        return self.status in self.LIVE


class Payment(models.Model):
    """An invoice of a paid subscription, a gift or a single issue: what was asked, paid and
    refunded."""

    class Status(models.TextChoices):
        OPEN = "open", "Due"
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        VOID = "void", "Void"

    provider = models.CharField(max_length=20)
    external_id = models.CharField(max_length=255)
    subscription = models.ForeignKey(
        PaidSubscription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    status = models.CharField(max_length=20, choices=Status.choices)
    amount = models.PositiveIntegerField(help_text="In the currency's minor unit.")
    amount_refunded = models.PositiveIntegerField(default=0)
    refunded_at = models.DateTimeField(null=True, blank=True, help_text="The latest refund.")
    currency = models.CharField(max_length=3)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    disputed = models.BooleanField(default=False)
    charge_id = models.CharField(max_length=255, blank=True)
    method = models.CharField(
        "paid by", max_length=120, blank=True, help_text="“Visa ending 4242”, “Cheque no. 1042”."
    )
    receipt_url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="payment_once"),
        ]

    def __str__(self):
        return f"{format_amount(self.amount, self.currency)} {self.get_status_display().lower()}"

    @property
    def amount_text(self):
        return format_amount(self.amount, self.currency)

    @property
    def refunded_text(self):
        return format_amount(self.amount_refunded, self.currency)

    @property
    def net(self):
        return self.amount - self.amount_refunded if self.status == self.Status.PAID else 0

    @property
    def status_text(self):
        """The status as the reader and staff read it: a refunded payment says so."""
        if self.status == self.Status.PAID and self.amount_refunded:
            return "Refunded" if self.amount_refunded >= self.amount else "Partly refunded"
        return self.get_status_display()


class WebhookEvent(models.Model):
    """An event a provider sent, kept once by its id: a duplicate delivery changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    object_id = models.CharField("about", max_length=255, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="event_once"),
        ]

    def __str__(self):
        return f"{self.provider} {self.type} {self.event_id}"


class Notice(models.Model):
    """An email sent about the money (a receipt, a failed payment…), kept by its natural key
    (what it is about and which occurrence), so that no replayed event sends it twice."""

    key = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.key


class GiftSubscription(models.Model):
    """A year of a plan bought for someone else: paid once, emailed on its day, redeemed with
    its code."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gifts_bought"
    )
    price = models.ForeignKey(Price, on_delete=models.PROTECT, related_name="gifts")
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=80, blank=True)
    message = models.TextField(blank=True, max_length=1000)
    deliver_on = models.DateField(help_text="The day the recipient is emailed.")
    checkout = models.OneToOneField(
        CheckoutAttempt, on_delete=models.PROTECT, related_name="gift", null=True, blank=True
    )
    code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts_redeemed",
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Refunded before it was redeemed: its code no longer works.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.price.plan} for {self.recipient_email}"


class EditionOrder(models.Model):
    """One issue's digital edition bought on its own: paid once through checkout, it gives the
    buyer the paywall's `EditionAccess`, which a refund in full takes back."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="edition_orders"
    )
    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField(help_text="As charged, in minor units.")
    currency = models.CharField(max_length=3)
    checkout = models.OneToOneField(
        CheckoutAttempt, on_delete=models.PROTECT, related_name="edition_order"
    )
    payment = models.OneToOneField(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="edition_order"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    access = models.ForeignKey(
        EditionAccess, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "single issue bought"
        verbose_name_plural = "single issues bought"

    def __str__(self):
        return f"{self.description} for {self.buyer}"

    @property
    def description(self):
        """ "Homestead Almanac, Vol. 12, No. 3 (digital edition)": receipts and checkouts."""
        return f"{self.issue.publication.name}, {self.issue} (digital edition)"

    @property
    def amount_text(self):
        return format_amount(self.amount, self.currency)


class ProviderRecord(models.Model):
    """A provider's own side of things, for the providers that live in this site (the test
    provider and the manual one): what Stripe keeps on its servers — customers, checkouts,
    subscriptions, invoices, events — kept here, so that the same code reads it back."""

    provider = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    external_id = models.CharField(max_length=64, unique=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.external_id
