from django.conf import settings

from magazine.navigation import publications_menu

SITE_DESCRIPTION = "Magazines and newsletters for people who make things work at home."


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_description": SITE_DESCRIPTION,
        "nav_publications": publications_menu,  # a callable: only pages that show it pay
    }
