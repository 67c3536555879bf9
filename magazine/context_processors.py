from django.conf import settings

from magazine.navigation import publications_menu


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "nav_publications": publications_menu,  # a callable: only pages that show it pay
    }
