from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MagazineConfig(AppConfig):
    """The content app; its `ready` connects what keeps caches and the search index current."""

    name = "magazine"
    verbose_name = "Magazine"

    def ready(self):
        from caching.pages import anonymous_pages_show
        from magazine import changes, navigation, roles
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
