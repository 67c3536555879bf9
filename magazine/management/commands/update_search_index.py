"""Fill the site search index for every article: after first installing search, or after
changing MAGAZINE_SEARCH_CONFIG. Saving an article keeps its own entry current."""

from django.core.management.base import BaseCommand

from magazine.pages.search import index as search_index


class Command(BaseCommand):
    help = "Rebuild the site search index of every article."

    def handle(self, *args, **options):
        count = search_index.reindex()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} article(s)."))
