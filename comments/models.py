"""Readers' comments under articles, threaded; each publication's comment settings; bans."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone


class CommentSettings(models.Model):
    """How one publication runs its comments; a publication without a row uses the defaults."""

    class Commenters(models.TextChoices):
        READERS = "readers", "Logged-in readers"
        SUBSCRIBERS = "subscribers", "Subscribers to this publication only"
        NOBODY = "nobody", "Nobody (comments closed)"

    class Moderation(models.TextChoices):
        ALL = "all", "Every comment waits for a moderator"
        FIRST = "first", "A reader's first comment waits; later ones appear at once"
        NONE = "none", "Comments appear at once"

    publication = models.OneToOneField(
        "magazine.Publication",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="comment_settings",
    )
    commenters = models.CharField(
        "who may comment",
        max_length=20,
        choices=Commenters.choices,
        default=Commenters.READERS,
        help_text="Readers may comment only on articles they may read whole.",
    )
    moderation = models.CharField(
        max_length=20,
        choices=Moderation.choices,
        default=Moderation.FIRST,
        help_text="Comments with many links wait for a moderator whatever is chosen here.",
    )

    class Meta:
        verbose_name = "comment settings"
        verbose_name_plural = "comment settings"

    def __str__(self):
        return f"Comment settings of {self.publication}"


def settings_for(publication):
    """`publication`'s comment settings, the defaults when it has none saved."""
    try:
        return publication.comment_settings
    except CommentSettings.DoesNotExist:
        return CommentSettings(publication=publication)


class CommentQuerySet(models.QuerySet):
    def create_in_thread(self, *, parent=None, **fields):
        """A new comment: a reply in `parent`'s thread one level down, or (without `parent`)
        the head of a thread of its own."""
        comment = self.create(
            parent=parent,
            thread_id=parent.thread_id if parent else None,
            depth=parent.depth + 1 if parent else 1,
            **fields,
        )
        if parent is None:
            comment.thread_id = comment.pk
            self.filter(pk=comment.pk).update(thread=comment.pk)
        return comment

    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def shown_to(self, user):
        """What `user` sees in a thread: approved comments, their own awaiting moderation (all
        of those for staff), and removed ones, which stand as placeholders while replies under
        them are shown."""
        return self.filter(shown_q(user))

    def threads_shown_to(self, user):
        """Top-level comments `user` sees, each heading a thread; removed ones only when a reply
        in their thread is approved."""
        placeholder = Q(status__in=Comment.REMOVED) & Exists(
            Comment.objects.filter(thread=OuterRef("pk"), status=Comment.Status.APPROVED)
        )
        return self.filter(parent=None).filter(
            Q(status=Comment.Status.APPROVED) | pending_q(user) | placeholder
        )


def pending_q(user):
    if user.is_staff:
        return Q(status=Comment.Status.PENDING)
    if user.is_authenticated:
        return Q(status=Comment.Status.PENDING, user=user)
    return Q(pk__in=[])


def shown_q(user):
    return Q(status__in=[Comment.Status.APPROVED, *Comment.REMOVED]) | pending_q(user)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        DELETED = "deleted", "Deleted by its author"

    class Hold(models.TextChoices):
        ALL = "all", "The publication moderates every comment"
        FIRST = "first", "The reader's first comment"
        LINKS = "links", "Too many links"

    REMOVED = [Status.SPAM, Status.DELETED]

    article = models.ForeignKey(
        "magazine.Article", on_delete=models.CASCADE, related_name="comments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    thread = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The top-level comment this one answers, directly or not (itself at the top).",
    )
    depth = models.PositiveSmallIntegerField(default=1, help_text="1 for a top-level comment.")
    body = models.TextField(help_text="Plain text, as the reader typed it.")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    held_because = models.CharField(
        max_length=20, choices=Hold.choices, blank=True, help_text="Why it waited for a moderator."
    )
    notify_replies = models.BooleanField(
        "email me replies", default=False, help_text="The author wants an email for each reply."
    )
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["article", "status"]),
            models.Index(fields=["user", "created_at"]),
        ]

    def __str__(self):
        return f"{self.user} on “{self.article}”"

    def get_absolute_url(self):
        """A permalink that survives pagination: it finds the comment's page when followed."""
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def is_removed(self):
        return self.status in self.REMOVED


class BanQuerySet(models.QuerySet):
    def active(self, at):
        """Bans in force at `at` (the same rule as `Ban.is_active`)."""
        return self.filter(Q(until__isnull=True) | Q(until__gt=at), starts_at__lte=at)


class Ban(models.Model):
    """A reader who may not comment, with the reason they are told, until a time or for good."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_bans"
    )
    reason = models.CharField(max_length=300, help_text="Shown to the reader under the article.")
    starts_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True, help_text="Leave empty to ban for good.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "commenting ban"

    def __str__(self):
        return f"{self.user}: {self.reason}"

    def is_active(self, at):
        return self.starts_at <= at and (self.until is None or self.until > at)
