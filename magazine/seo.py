"""What search engines and link previews are told about a page (never text past the teaser)."""

from django.conf import settings
from django.urls import reverse

from magazine.models import Article

PAYWALLED_SELECTOR = ".paywalled-content"


def absolute_url(path):
    """`path` on the site's configured address (not the request's Host header)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def article_structured_data(article):
    """schema.org NewsArticle, with Google's markup for a paywalled section where there is one."""
    publication = article.publication
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.search_description,
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
            for author in article.authors.all()
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
