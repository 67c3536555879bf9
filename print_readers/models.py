"""A fulfilment house's print subscribers, per publication, and the web accounts linked to
them. A link's access is an ordinary `paywall.Subscription` (source: print) whose dates follow
the print record's: the paywall's rule needs to know nothing about print."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from magazine.models import Publication
from paywall.models import Subscription


class PrintSubscriber(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LAPSED = "lapsed", "Lapsed"
        CANCELLED = "cancelled", "Cancelled"

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="print_subscribers"
    )
    account_number = models.CharField(
        max_length=40, help_text="As on the mailing label, normalised (upper case, no dashes)."
    )
    postcode = models.CharField(max_length=20)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    starts = models.DateField()
    expires = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["publication", "account_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "account_number"], name="print_account_once"
            ),
            models.CheckConstraint(
                condition=Q(expires__gte=models.F("starts")), name="print_expires_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.publication} print subscriber {self.account_number}"

    def is_current(self, today):
        """Active and not expired (a term that starts later, as a renewal may, counts)."""
        return self.status == self.Status.ACTIVE and today <= self.expires


class PrintLink(models.Model):
    """A web account reading on a print subscription (one of the household's seats)."""

    # A record with links is not deleted (its links' access would outlive it unseen): it lapses.
    record = models.ForeignKey(PrintSubscriber, on_delete=models.PROTECT, related_name="links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="print_links"
    )
    subscription = models.OneToOneField(
        Subscription, on_delete=models.CASCADE, related_name="print_link"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Staff end a link they judge wrong (the account may not link again by itself); a reader
    # ends their own to free the seat for someone else in the household (and may link again).
    ended_by_staff = models.BooleanField(default=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "user"], condition=Q(ended_at__isnull=True),
                name="print_link_once",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.user} on {self.record}"
