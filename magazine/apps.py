from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_migrate, post_save


class MagazineConfig(AppConfig):
    """The content app; its `ready` connects what keeps caches and the search index current,
    and what removes readers' stamped copies of an edition once they should not be kept."""

    name = "magazine"
    verbose_name = "Magazine"

    def ready(self):
        from caching.pages import anonymous_pages_show
        from magazine import changes, navigation, roles, stamping
        from magazine.models import Article, Author, Issue, Publication, Section, Tag
        from magazine.pages.search import index as search_index

        navigation.connect()
        changes.connect(
            Publication, Section, Author, Issue, Tag, Article,
            through=(Article.authors.through, Article.tags.through),
        )  # fmt: skip
        anonymous_pages_show(changes.CONTENT)
        search_index.connect()
        post_migrate.connect(roles.ensure_staff_groups, dispatch_uid="magazine-staff-groups")
        post_delete.connect(
            stamping.account_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="stamped-user"
        )
        post_save.connect(stamping.issue_changed, sender=Issue, dispatch_uid="stamped-issue")
        post_delete.connect(stamping.issue_changed, sender=Issue, dispatch_uid="stamped-issue-del")
