"""Shares ("Send this to a friend") as staff count them, and the gift links subscribers give."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from magazine.models import Article


class Share(models.Model):
    """One sending of an article to friends: what, by whom, to how many — never the addresses
    or the note, which only the email itself carries."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="shares")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
        help_text="Empty when a visitor without an account sent it.",
    )
    recipient_count = models.PositiveSmallIntegerField("friends")
    with_gift = models.BooleanField("with gift links", default=False)
    created_at = models.DateTimeField("sent", default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["article", "created_at"])]

    def __str__(self):
        return f"{self.article} to {self.recipient_count} friend(s)"


class SharedArticle(Article):
    """Articles as the "most shared" report lists them in the admin."""

    class Meta:
        proxy = True
        verbose_name = "most shared article"
        verbose_name_plural = "most shared articles"


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
