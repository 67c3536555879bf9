from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MagazineConfig(AppConfig):
    name = "magazine"
    verbose_name = "Magazine"

    def ready(self):
        from magazine import navigation, roles, search

        navigation.connect()
        search.connect()
        post_migrate.connect(roles.ensure_staff_groups, dispatch_uid="magazine-staff-groups")
