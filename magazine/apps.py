from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MagazineConfig(AppConfig):
    name = "magazine"
    verbose_name = "Magazine"

    def ready(self):
        from magazine import caching, navigation, roles, search
        from magazine.models import Article, Author, Issue, Publication, Section, Tag

        navigation.connect()
        caching.connect_content(
            Publication, Section, Author, Issue, Tag, Article,
            through=(Article.authors.through, Article.tags.through),
        )  # fmt: skip
        search.connect()
        post_migrate.connect(roles.ensure_staff_groups, dispatch_uid="magazine-staff-groups")
