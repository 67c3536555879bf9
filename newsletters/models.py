"""Newsletters, who receives them, and every message each send owes its recipients.

A send is written down before anything is mailed: one `Send` per newsletter and article (or
digest period), made unique by the database so that nothing is sent twice whatever happens to
the article afterwards, and one `Delivery` row per recipient, so that a send interrupted half
way resumes where it stopped.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from magazine.models import Article, Publication
from outbox.headers import validate_single_line


class Cadence(models.TextChoices):
    EACH_ARTICLE = "article", "Each new article"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"


DIGESTS = (Cadence.DAILY, Cadence.WEEKLY)
PERIOD = {Cadence.DAILY: timedelta(days=1), Cadence.WEEKLY: timedelta(days=7)}


class Newsletter(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="newsletters"
    )
    name = models.CharField(max_length=120, validators=[validate_single_line])
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Part of its web address, and of its List-Id."
    )
    description = models.TextField(blank=True)
    sender_name = models.CharField(
        max_length=80,
        validators=[validate_single_line],
        help_text="The name its emails come from; the address is the site's own.",
    )
    cadence = models.CharField(
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.EACH_ARTICLE,
        help_text="A newsletter of each new article lets readers choose a digest instead.",
    )
    on_by_default = models.BooleanField(
        default=False,
        help_text="New subscribers of the publication receive it until they say otherwise.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["publication__position", "position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("newsletter_archive", kwargs={"slug": self.slug})

    @property
    def cadences(self):
        """What a reader may choose: a newsletter of each article may come as a digest."""
        if self.cadence == Cadence.EACH_ARTICLE:
            return list(Cadence)
        return [Cadence(self.cadence)]


class SignupQuerySet(models.QuerySet):
    def receiving(self):
        """Signups that are confirmed and not unsubscribed."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    def with_cadence(self, cadence):
        """Those receiving the newsletter at `cadence` (their own choice, else its own)."""
        own = Q(cadence=cadence)
        default = Q(cadence="", newsletter__cadence=cadence)
        return self.filter(own | default)


class Signup(models.Model):
    """One reader (an account, or an address alone) on one newsletter. Never deleted: ending
    it sets `unsubscribed_at`, so that an unsubscribe link keeps meaning the same row."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="newsletter_signups",
    )
    email = models.EmailField(blank=True, help_text="For a signup without an account.")
    cadence = models.CharField(
        max_length=10, choices=Cadence.choices, blank=True, help_text="Empty: the newsletter's."
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = SignupQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "user"],
                condition=Q(user__isnull=False),
                name="signup_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["newsletter", "email"],
                condition=Q(user__isnull=True),
                name="signup_one_per_address",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email=""), name="signup_has_recipient"
            ),
        ]

    def __str__(self):
        return f"{self.address} on {self.newsletter}"

    @property
    def address(self):
        return self.user.email if self.user_id else self.email

    @property
    def receiving(self):
        return self.confirmed_at is not None and self.unsubscribed_at is None

    @property
    def effective_cadence(self):
        return self.cadence or self.newsletter.cadence


class Pause(models.Model):
    """A reader's "pause all email" until a date."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newsletter_pause"
    )
    until = models.DateTimeField()

    def __str__(self):
        return f"{self.user} until {self.until:%d %b %Y}"


class Send(models.Model):
    """One newsletter's email of one article, or of one digest period."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="sends")
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="newsletter_sends"
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=300)
    articles = models.ManyToManyField(Article, blank=True, related_name="newsletter_digests")
    created_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Paused by staff: nothing more goes until resumed."
    )
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="Cancelled by staff: what had not gone never will."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("control_send", "Can pause, resume or cancel a send")]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "article"],
                condition=Q(cadence=Cadence.EACH_ARTICLE),
                name="send_article_once",
            ),
            models.UniqueConstraint(
                fields=["newsletter", "cadence", "period_end"],
                condition=~Q(cadence=Cadence.EACH_ARTICLE),
                name="send_digest_once",
            ),
        ]

    def __str__(self):
        return f"{self.newsletter}: {self.subject}"

    def get_absolute_url(self):
        if not self.is_digest and self.article_id:
            return self.article.get_absolute_url()
        return reverse("newsletter_issue", kwargs={"slug": self.newsletter.slug, "pk": self.pk})

    @property
    def is_digest(self):
        return self.cadence != Cadence.EACH_ARTICLE

    def digest_articles(self, now):
        """A digest's articles that are still published at `now` (one withdrawn since is
        neither emailed nor listed)."""
        return (
            self.articles.published(now).select_related("publication").order_by("publish_at", "pk")
        )


class Delivery(models.Model):
    """What one recipient of a send has been sent. `sending` is written before the message
    leaves and `sent` after: a worker stopped in between leaves `sending`, which is never tried
    again — a reader may miss one email, but never gets two."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting"
        SENDING = "sending", "Handed to the mail server, not confirmed"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent"
        FAILED = "failed", "Failed"

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    detail = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["send", "signup"], name="delivery_once"),
        ]
        indexes = [
            models.Index(fields=["send", "state"]),
            # What is owed, found without reading the history of every send ever made.
            models.Index(fields=["id"], condition=Q(state="queued"), name="delivery_owed"),
        ]

    def __str__(self):
        return f"{self.signup} — {self.get_state_display()}"


class Schedule(models.Model):
    """The one row that keeps the newsletter clock going (`newsletters.clock`): when its next
    tick is due, and until when the tick now running holds the right to send."""

    next_tick_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Next tick at {self.next_tick_at}"
