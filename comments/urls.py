"""The comment routes, under /comments/.

Posting shows a refused comment again on its article's page, which this app does not draw: the
site's wiring hands in `show_article` (see `views.PostComment`)."""

from django.urls import path

from comments import views


def urls(*, show_article):
    """(patterns, app namespace) for `include()`."""
    return (
        [
            path(
                "articles/<int:article_pk>/",
                views.PostComment.as_view(show_article=show_article),
                name="post",
            ),
            path("<int:pk>/", views.permalink, name="permalink"),
            path("<int:pk>/edit/", views.edit, name="edit"),
            path("<int:pk>/delete/", views.delete, name="delete"),
            path("<int:pk>/moderate/", views.moderate, name="moderate"),
            path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
        ],
        "comments",
    )
