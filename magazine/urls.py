from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve

from magazine import feeds, sitemaps, views


def feed_paths(prefix, feed, name):
    """The RSS and Atom editions of `feed`, at <prefix>rss/ and <prefix>atom/."""
    return [path(f"{prefix}{kind}/", feed(kind), name=f"{name}_{kind}") for kind in feeds.FORMATS]


publication_patterns = [
    path("", views.PublicationView.as_view(), name="publication"),
    path("sections/<slug:section>/", views.SectionView.as_view(), name="section"),
    path("authors/<slug:author>/", views.AuthorView.as_view(), name="author"),
    path("tags/<slug:tag>/", views.TagView.as_view(), name="tag"),
    path("issues/", views.IssueArchiveView.as_view(), name="issue_archive"),
    path("issues/<int:year>/", views.IssueArchiveView.as_view(), name="issue_year"),
    path("issues/<int:volume>-<int:number>/", views.IssueView.as_view(), name="issue"),
    path("search/", views.SearchView.as_view(), name="publication_search"),
    *feed_paths("feeds/", feeds.PublicationFeed, "publication_feed"),
    *feed_paths("sections/<slug:section>/feeds/", feeds.SectionFeed, "section_feed"),
    path("", include("sharing.urls")),
    path("<slug:slug>/", views.ArticleView.as_view(), name="article"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("comments/", include("comments.urls")),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path("search/", views.SearchView.as_view(), name="search"),
    *feed_paths("feeds/", feeds.SiteFeed, "site_feed"),
    *feed_paths("feeds/private/<slug:token>/", feeds.PrivateFeed, "private_feed"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap_section"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
    path("", views.FrontPageView.as_view(), name="front"),
    path("<slug:publication>/", include(publication_patterns)),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.insert(
        0,
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    )
