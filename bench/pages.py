"""Prints the paths `bench/run.py` measures, one "name path" per line, found in the database;
"browse" lists many articles at once, space-separated."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "magazine.settings")
django.setup()

from django.db.models import Count, Q  # noqa: E402

from demo.editions import ensure_demo_editions  # noqa: E402
from magazine.models import Article, Issue, Publication  # noqa: E402

SUBSCRIBER = "subscriber@example.com"
PUBLICATION = "homestead"  # the demo subscriber's publication
SAMPLED = "backyard-poultry"  # the demo's publication that lets visitors sample
BROWSE = 600

published = (
    Article.objects.published()
    .filter(publication__slug=PUBLICATION)
    .exclude(slug__startswith="scale-")
)
free = published.filter(access=Article.Access.FREE).order_by("-publish_at").first()
paywalled = published.filter(access=Article.Access.SUBSCRIBERS).order_by("-publish_at").first()
# The subscriber's page: a subscribers-only article with the longest conversation they have no
# part in, as most articles are for most readers.
subscribed = (
    published.filter(access=Article.Access.SUBSCRIBERS)
    .annotate(
        comment_total=Count("comments"),
        theirs=Count("comments", filter=Q(comments__user__email=SUBSCRIBER)),
    )
    .filter(theirs=0)
    .order_by("-comment_total")
    .first()
)
# A database seeded before sampling existed has the demo's allowance to set (saved, so that
# every cached copy of its pages is dropped).
for publication in Publication.objects.filter(slug=SAMPLED, free_articles_anonymous=0):
    publication.free_articles_anonymous, publication.free_articles_registered = 2, 5
    publication.save()
sampled = (
    Article.objects.published()
    .filter(publication__slug=SAMPLED, access=Article.Access.SUBSCRIBERS)
    .exclude(exempt_from_sampling=True)
    .order_by("-publish_at")
    .first()
)
# A database seeded before digital editions existed has the demo's PDFs to make.
ensure_demo_editions()
edition = (
    Issue.objects.filter(publication__slug=PUBLICATION).exclude(edition="").latest("cover_date")
)
print("free", free.get_absolute_url())
print("edition", f"/editions/{edition.edition_key}/")
print("sampled", sampled.get_absolute_url())
print("paywalled", paywalled.get_absolute_url())
print("subscribed", subscribed.get_absolute_url())
print("publication", f"/{PUBLICATION}/")
print("search", "/search/?q=compost")
print("feed", f"/{PUBLICATION}/feeds/rss/")
# More different articles than each worker keeps copies of, to read its memory with them full.
browse = Article.objects.published().select_related("publication").order_by("-publish_at")
print("browse", " ".join(article.get_absolute_url() for article in browse[:BROWSE]))
