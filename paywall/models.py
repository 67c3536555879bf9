"""What gives a reader access: plans and subscriptions, single issues' editions held alone, and
the gift links subscribers give.

A subscription's status follows from its dates and is never stored, so nothing has to run at
midnight to expire anyone."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from magazine.models import Article, Issue, Publication


def grace_period():
    return timedelta(days=settings.PAYWALL_GRACE_DAYS)


def access_ends(ends_at, cancelled_at=None):
    """When a subscription's access stops: its end plus grace, or its cancellation if sooner."""
    end = ends_at + grace_period()
    return min(end, cancelled_at) if cancelled_at else end


class Plan(models.Model):
    """What a reader buys: access to one publication, or to a bundle of several."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    publications = models.ManyToManyField(Publication, related_name="plans")
    description = models.TextField(blank=True)
    price_text = models.CharField(max_length=80, blank=True, help_text="e.g. “$29 a year”.")
    is_offered = models.BooleanField(
        default=True, help_text="Shown to readers as a way to subscribe."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SubscriptionQuerySet(models.QuerySet):
    def not_cancelled(self, at=None):
        """Subscriptions not cancelled at `at` (a cancellation may be set for later)."""
        at = at or timezone.now()
        return self.filter(models.Q(cancelled_at__isnull=True) | models.Q(cancelled_at__gt=at))

    def active(self, at=None):
        """Subscriptions giving access at `at`: started, not past their grace, not cancelled."""
        at = at or timezone.now()
        return self.not_cancelled(at).filter(starts_at__lte=at, ends_at__gt=at - grace_period())

    def for_publication(self, publication):
        return self.filter(plan__publications=publication)


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Starts later"
        ACTIVE = "active", "Active"
        GRACE = "grace", "In grace period"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        PAID = "paid", "Paid"
        COMP = "comp", "Complimentary"
        IMPORT = "import", "Imported from a fulfilment list"
        STAFF = "staff", "Granted by staff"
        GIFT = "gift", "A gift subscription"
        PRINT = "print", "Linked print subscription"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(help_text="Access lasts a grace period past this time.")
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="Access stops at this time, whatever the end date."
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.STAFF)
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-ends_at"]
        indexes = [models.Index(fields=["user", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="subscription_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.plan}"

    @property
    def access_ends_at(self):
        return access_ends(self.ends_at, self.cancelled_at)

    def status(self, at=None):
        at = at or timezone.now()
        if self.cancelled_at and self.cancelled_at <= at:
            return self.Status.CANCELLED
        if at < self.starts_at:
            return self.Status.PENDING
        if at < self.ends_at:
            return self.Status.ACTIVE
        if at < self.ends_at + grace_period():
            return self.Status.GRACE
        return self.Status.EXPIRED


class EditionAccess(models.Model):
    """One issue's digital edition, held by one reader whatever their subscriptions: bought on
    its own, or given by staff. Kept when it ends (a refund revokes it), as the record of what
    was held and when."""

    class Source(models.TextChoices):
        BOUGHT = "bought", "Bought"
        STAFF = "staff", "Given by staff"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editions_held"
    )
    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.STAFF)
    note = models.CharField(max_length=250, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="The edition can no longer be read from this time."
    )

    class Meta:
        verbose_name = "single-issue edition"
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "issue"],
                condition=Q(revoked_at__isnull=True),
                name="edition_held_once",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.issue.publication}, {self.issue}"


class GiftLinkQuerySet(models.QuerySet):
    def given_by(self, user, *, since):
        return self.filter(giver=user, created_at__gte=since)

    def with_status(self, status, at):
        """The links whose `GiftLink.status(at)` is `status`: the same rule, as a filter."""
        revoked = Q(revoked_at__lte=at)
        expired = Q(expires_at__lte=at)
        return self.filter(
            {
                GiftLink.Status.REVOKED: revoked,
                GiftLink.Status.EXPIRED: ~revoked & expired,
                GiftLink.Status.ACTIVE: ~revoked & ~expired,
            }[status]
        )


class GiftLink(models.Model):
    """A subscriber's gift: whoever opens its link may read one article whole until it expires,
    unless staff revoke it first."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="gift_links")
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gift_links"
    )
    giver_name = models.CharField(
        max_length=80, help_text="The name the giver signed the email with, shown with the gift."
    )
    created_at = models.DateTimeField("given", default=timezone.now)
    expires_at = models.DateTimeField("expires")
    revoked_at = models.DateTimeField(
        "revoked", null=True, blank=True, help_text="The link stops working from this time."
    )

    objects = GiftLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["giver", "created_at"])]

    def __str__(self):
        return f"{self.article} from {self.giver_name}"

    @property
    def ends_at(self):
        """When the link stops working: when it expires, or when it is revoked if sooner."""
        return min(self.expires_at, self.revoked_at) if self.revoked_at else self.expires_at

    def status(self, at=None):
        at = at or timezone.now()
        if self.revoked_at and self.revoked_at <= at:
            return self.Status.REVOKED
        if self.expires_at <= at:
            return self.Status.EXPIRED
        return self.Status.ACTIVE


class SampledRead(models.Model):
    """A registered reader's free article: counted the first time they read it whole, and
    again only once the 30-day window has passed (`paywall.access.SAMPLING_WINDOW`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sampled_reads"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    publication_id = models.IntegerField()  # the article's, kept here: counted without a join
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="sampled_read_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user} read {self.article} on {self.read_at:%d %b %Y}"
