"""Sitemaps: every page a search engine should know, and nothing that is not live yet.

A site that fits in one sitemap (the protocol's 50,000 addresses) gets one at /sitemap.xml;
a bigger one gets an index there instead, pointing at a sitemap of pages and one of articles per
publication, each split into numbered pages as it grows.
"""

from math import ceil

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from magazine.models import Article, Author, Issue, Publication, Section, published_q
from magazine.site import absolute_url, domain, scheme

NOINDEX = {"X-Robots-Tag": "noindex, noodp, noarchive"}


class SiteSitemap(Sitemap):
    """Addresses on the site's configured address, whatever host name the crawler used."""

    def __init__(self, now):
        self.now = now

    def get_protocol(self, protocol=None):
        return scheme()

    def get_domain(self, site=None):
        return domain()


def latest_change(now, prefix="articles__"):
    """When the newest live article under a relation last changed: a listing page's lastmod."""
    return Max(f"{prefix}updated_at", filter=published_q(now, prefix))


class PagesSitemap(SiteSitemap):
    """The front page, and each publication's home, sections, print issues and author pages."""

    def items(self):
        return self.pages

    @cached_property
    def pages(self):
        listings = []
        for model in (Publication, Section, Issue):
            rows = model.objects.annotate(lastmod=latest_change(self.now)).order_by("pk")
            if model is not Publication:
                rows = rows.select_related("publication")
            listings += [(row.get_absolute_url(), row.lastmod) for row in rows]
        front = max((lastmod for _, lastmod in listings if lastmod), default=None)
        return [(reverse("front"), front), *listings, *self.author_pages()]

    def author_pages(self):
        """Each author's page in each publication they have a live article in."""
        rows = (
            Author.objects.filter(published_q(self.now, "articles__"))
            .values("slug", "articles__publication__slug")
            .annotate(lastmod=Max("articles__updated_at"))
            .order_by("articles__publication__slug", "slug")
        )
        return [
            (
                reverse(
                    "author",
                    kwargs={
                        "publication": row["articles__publication__slug"],
                        "author": row["slug"],
                    },
                ),
                row["lastmod"],
            )
            for row in rows
        ]

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return self.pages[0][1]


class ArticleSitemap(SiteSitemap):
    """Live articles: of one publication, or of all."""

    def __init__(self, now, publication=None):
        super().__init__(now)
        self.publication = publication

    def items(self):
        articles = Article.objects.published(self.now)
        if self.publication:
            articles = articles.filter(publication=self.publication)
        return (
            articles.select_related("publication")
            .only("slug", "updated_at", "publication__slug")
            .order_by("pk")
        )

    @cached_property
    def paginator(self):
        return super().paginator

    def lastmod(self, article):
        return article.updated_at


def sitemap(request):
    """/sitemap.xml: the whole site in one sitemap while it fits, else an index of sitemaps."""
    now = timezone.now()
    pages, articles = PagesSitemap(now), ArticleSitemap(now)
    if len(pages.items()) + articles.paginator.count <= SiteSitemap.limit:
        return sitemap_views.sitemap(request, {"pages": pages, "articles": articles})
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": index_entries(now, pages)},
        content_type="application/xml",
        headers=NOINDEX,
    )


def index_entries(now, pages):
    """The sitemap index: the pages' sitemap, then each publication's articles, page by page."""
    sections = [("pages", pages.paginator.num_pages, pages.get_latest_lastmod())]
    publications = Publication.objects.annotate(
        live=Count("articles", filter=published_q(now, "articles__")), lastmod=latest_change(now)
    ).order_by("position", "name")
    sections += [
        (
            f"articles-{publication.slug}",
            ceil(publication.live / SiteSitemap.limit),
            publication.lastmod,
        )
        for publication in publications
        if publication.live
    ]
    entries = []
    for name, num_pages, lastmod in sections:
        url = absolute_url(reverse("sitemap_section", kwargs={"section": name}))
        entries += [
            sitemap_views.SitemapIndexItem(url if page == 1 else f"{url}?p={page}", lastmod)
            for page in range(1, num_pages + 1)
        ]
    return entries


def sitemap_section(request, section):
    """One sitemap of the index: the pages, or one publication's articles."""
    now = timezone.now()
    if section == "pages":
        chosen = PagesSitemap(now)
    elif section.startswith("articles-"):
        slug = section.removeprefix("articles-")
        chosen = ArticleSitemap(now, get_object_or_404(Publication, slug=slug))
    else:
        raise Http404("No such sitemap.")
    return sitemap_views.sitemap(request, {section: chosen}, section=section)
