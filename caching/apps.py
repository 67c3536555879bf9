from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


class CachingConfig(AppConfig):
    """Caching keeps no models; it makes sure a database cache's table exists after every
    `migrate`, so the site never runs on a cache it cannot write."""

    name = "caching"
    verbose_name = "Caching"

    def ready(self):
        post_migrate.connect(create_cache_table, dispatch_uid="caching-create-cache-table")


def create_cache_table(using, **kwargs):
    """`createcachetable` (which does nothing when the table exists, or with no database cache)."""
    call_command("createcachetable", database=using, verbosity=0)
