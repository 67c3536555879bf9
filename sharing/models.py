"""Shares ("Send this to a friend") as staff count them."""

from django.conf import settings
from django.db import models
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
