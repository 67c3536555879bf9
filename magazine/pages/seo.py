"""What search engines and link previews are told about a page (never text past the teaser)."""

from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator

from magazine.models import Article
from magazine.rendering import article_body
from magazine.site import absolute_url

PAYWALLED_SELECTOR = ".paywalled-content"


def article_description(article):
    """The article's description for search engines and link previews: the editor's search
    description, else the standfirst, else the start of the teaser (never text past it)."""
    return article.search_description or Truncator(article_body(article).teaser_text).chars(160)


def article_structured_data(article, *, authors, description):
    """schema.org NewsArticle, with Google's markup for a paywalled section where there is one.
    `authors` and `description` are callables giving the byline and `article_description` (the
    page works each out once for everything)."""
    publication = article.publication
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": description(),
        "articleSection": article.section.name,
        "datePublished": article.publish_at.isoformat() if article.publish_at else None,
        "dateModified": article.updated_at.isoformat() if article.updated_at else None,
        "mainEntityOfPage": absolute_url(article.get_absolute_url()),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": absolute_url(
                    reverse(
                        "author", kwargs={"publication": publication.slug, "author": author.slug}
                    )
                ),
            }
            for author in authors()
        ],
        "publisher": {
            "@type": "Organization",
            "name": publication.name,
            "url": absolute_url(publication.get_absolute_url()),
        },
        "isAccessibleForFree": article.access == Article.Access.FREE,
    }
    if article.lead_image:
        data["image"] = [absolute_url(article.lead_image.url)]
    if article.access != Article.Access.FREE:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": PAYWALLED_SELECTOR,
        }
    return data


def breadcrumbs_structured_data(trail):
    """schema.org BreadcrumbList for `trail`, a list of (name, path) from the front page down."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute_url(path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }


def article_breadcrumbs(article):
    return breadcrumbs_structured_data(
        [
            (settings.SITE_NAME, reverse("front")),
            (article.publication.name, article.publication.get_absolute_url()),
            (article.section.name, article.section.get_absolute_url()),
            (article.title, article.get_absolute_url()),
        ]
    )


def publication_structured_data(publication):
    """schema.org Periodical for a publication's home, published by the site's Organization."""
    data = {
        "@context": "https://schema.org",
        "@type": "Periodical",
        "name": publication.name,
        "url": absolute_url(publication.get_absolute_url()),
        "description": publication.tagline or publication.description,
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute_url(reverse("front")),
        },
    }
    if publication.logo:
        data["image"] = absolute_url(publication.logo.url)
    return data
