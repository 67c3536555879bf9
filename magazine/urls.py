from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from magazine import views

publication_patterns = [
    path("", views.PublicationView.as_view(), name="publication"),
    path("sections/<slug:section>/", views.SectionView.as_view(), name="section"),
    path("authors/<slug:author>/", views.AuthorView.as_view(), name="author"),
    path("tags/<slug:tag>/", views.TagView.as_view(), name="tag"),
    path("issues/", views.IssueArchiveView.as_view(), name="issue_archive"),
    path("issues/<int:year>/", views.IssueArchiveView.as_view(), name="issue_year"),
    path("issues/<int:volume>-<int:number>/", views.IssueView.as_view(), name="issue"),
    path("", include("sharing.urls")),
    path("<slug:slug>/", views.ArticleView.as_view(), name="article"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("comments/", include("comments.urls")),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="article_preview"),
    path("", views.FrontPageView.as_view(), name="front"),
    path("<slug:publication>/", include(publication_patterns)),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.insert(
        0,
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    )
