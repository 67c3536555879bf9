"""One "now" per request, so every rule on a page agrees on the time."""

import datetime as dt

from django.utils import timezone

from magazine.models import Article


def start_of_day(date):
    """The first instant of `date` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time.min))


class NowMixin:
    """Reads the clock once per request, so every rule on the page agrees on "now"."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.now = timezone.now()

    def published(self):
        return Article.objects.published(self.now)
