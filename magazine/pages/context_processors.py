from functools import cache, partial

from django.conf import settings

from caching.generations import generation
from magazine.changes import CONTENT
from magazine.navigation import publications_menu

SITE_DESCRIPTION = "Magazines and newsletters for people who make things work at home."


def site(request):
    # Callables: only pages that show them pay, and each page asks the cache once.
    return {
        "site_name": settings.SITE_NAME,
        "site_description": SITE_DESCRIPTION,
        "nav_publications": publications_menu,
        "content_generation": cache(partial(generation, CONTENT)),
        "fragment_seconds": settings.MAGAZINE_FRAGMENT_CACHE_SECONDS,
    }
