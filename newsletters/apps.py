from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from magazine import changes
        from magazine.models import Article
        from newsletters import inbound
        from newsletters.models import Newsletter

        # The signup box on cached publication and article pages lists the newsletters.
        changes.connect(Newsletter)
        inbound.connect()
        post_save.connect(published, sender=Article, dispatch_uid="newsletters-published")


def published(sender, instance, **kwargs):
    """An article saved as published, recently enough to be emailed, has its emails start at
    once rather than at the clock's next tick."""
    from newsletters import clock

    recent = timezone.now() - timedelta(days=settings.NEWSLETTER_SEND_WITHIN_DAYS)
    if instance.send_by_email and instance.is_published() and instance.publish_at >= recent:
        transaction.on_commit(clock.soon)
