"""The addresses email must not go to, kept as keyed hashes (outbox.suppression writes and reads
them), and the soft bounces that add up to one."""

from django.db import models


class Reason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", "Hard bounce"
    COMPLAINT = "complaint", "Spam complaint"
    MANUAL = "manual", "Added by staff"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed from all email"
    SOFT_BOUNCES = "soft_bounces", "Repeated soft bounces"


# The address cannot receive mail, or its owner must not be sent any: not even what they ask for.
# Unsubscribing from all email still lets through the password reset a reader requests.
STOPPING_EVERYTHING = frozenset(
    {Reason.HARD_BOUNCE, Reason.COMPLAINT, Reason.MANUAL, Reason.SOFT_BOUNCES}
)


class SuppressionQuerySet(models.QuerySet):
    def of(self, hashes):
        return self.filter(address_hash__in=list(hashes))

    def stopping(self, *, transactional=False):
        """Those that stop mail of this kind: every suppression stops bulk mail; mail the reader
        asked for (a password reset, a receipt) only those for a reason STOPPING_EVERYTHING."""
        if transactional:
            return self.filter(reason__in=STOPPING_EVERYTHING)
        return self


class Suppression(models.Model):
    Reason = Reason

    address_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        help_text="A keyed hash of the address: the address itself is not kept.",
    )
    hint = models.CharField(
        max_length=100, editable=False, help_text="The address, masked, to tell rows apart."
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.MANUAL)
    source = models.CharField(
        max_length=100,
        editable=False,
        help_text="Who reported it: the email provider, a member of staff or the reader.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "suppressed address"
        verbose_name_plural = "suppressed addresses"

    def __str__(self):
        return f"{self.hint} ({self.get_reason_display()})"


class SoftBounce(models.Model):
    """A temporary failure to deliver to an address (a full mailbox, a server down): a few of
    them close together become a Suppression."""

    address_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"Soft bounce at {self.at:%Y-%m-%d %H:%M}"
