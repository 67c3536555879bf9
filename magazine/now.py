"""One "now" per request, so every rule on a page agrees on the time."""

from django.utils import timezone

from magazine.models import Article


class NowMixin:
    """Reads the clock once per request, so every rule on the page agrees on "now"."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.now = timezone.now()

    def published(self):
        return Article.objects.published(self.now)
