from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.generic import TemplateView

from billing import views as billing
from billing.urls import gift_patterns
from caching.pages import anonymous_page_cache as shared
from comments.urls import urls as comment_urls
from magazine.pages import article, editions, feeds, health, sitemaps, views
from magazine.pages.converters import (
    ArticleSlugConverter,
    PublicationSlugConverter,
    YearConverter,
)
from newsletters import views as newsletters
from outbox import webhooks


def feed_paths(prefix, feed, name, *, wrap=lambda view: view):
    """The RSS and Atom editions of `feed`, at <prefix>rss/ and <prefix>atom/."""
    return [
        path(f"{prefix}{kind}/", wrap(feed(kind)), name=f"{name}_{kind}") for kind in feeds.FORMATS
    ]


# Pages wrapped in shared() are served to visitors with no session from one cached rendering
# (caching.pages); everyone else's are rendered for them.
#
# The article, the busiest page, is matched first: its converters refuse the slugs the site's
# other pages use in the same places (magazine.pages.converters).
register_converter(PublicationSlugConverter, "publication")
register_converter(ArticleSlugConverter, "article")
register_converter(YearConverter, "year")


publication_patterns = [
    path("<article:slug>/", shared(article.ArticleView.as_view()), name="article"),
    path("", shared(views.PublicationView.as_view()), name="publication"),
    path("sections/<slug:section>/", shared(views.SectionView.as_view()), name="section"),
    path("authors/<slug:author>/", shared(views.AuthorView.as_view()), name="author"),
    path("tags/<slug:tag>/", shared(views.TagView.as_view()), name="tag"),
    path("issues/", shared(views.IssueArchiveView.as_view()), name="issue_archive"),
    path("issues/<year:year>/", shared(views.IssueArchiveView.as_view()), name="issue_year"),
    path("issues/<int:volume>-<int:number>/", shared(views.IssueView.as_view()), name="issue"),
    path("search/", shared(views.SearchView.as_view()), name="publication_search"),
    *feed_paths("feeds/", feeds.PublicationFeed, "publication_feed", wrap=shared),
    *feed_paths("sections/<slug:section>/feeds/", feeds.SectionFeed, "section_feed", wrap=shared),
    path("subscribe/", billing.subscribe, name="subscribe"),
    path("", include("sharing.urls")),
]

urlpatterns = [
    path("<publication:publication>/", include(publication_patterns)),
    path("admin/", admin.site.urls),
    path("accounts/newsletters/", newsletters.preferences, name="newsletter_preferences"),
    path("accounts/print/", include("print_readers.urls")),
    path("editions/<uuid:key>/", editions.edition, name="edition"),
    path("accounts/", include("accounts.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("billing/", include("billing.urls")),
    # Email providers report bounces and complaints here (outbox.bounces).
    path("anymail/", include(webhooks.urlpatterns())),
    path("gift/", include(gift_patterns)),
    path("comments/", include(comment_urls(show_article=article.page_with_comment_form))),
    path("preview/<int:pk>/", article.ArticlePreviewView.as_view(), name="article_preview"),
    path("search/", shared(views.SearchView.as_view()), name="search"),
    *feed_paths("feeds/", feeds.SiteFeed, "site_feed", wrap=shared),
    *feed_paths("feeds/private/<slug:token>/", feeds.PrivateFeed, "private_feed"),
    path("accents.css", views.accent_styles, name="accent_styles"),
    path("healthz", health.healthz, name="healthz"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
    path("", shared(views.FrontPageView.as_view()), name="front"),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.insert(
        0,
        re_path(rf"^{media_prefix}(?P<path>.*)$", views.serve_media),
    )

# A database out of reach is a 503 that asks to try again and gives back what was typed.
handler500 = "magazine.pages.errors.server_error"
