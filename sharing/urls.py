"""Under /<publication>/ (“share” is a reserved article slug)."""

from django.urls import path

from sharing import views

urlpatterns = [
    path("<slug:slug>/share/", views.ShareView.as_view(), name="share_article"),
    path("<slug:slug>/share/sent/", views.ShareSentView.as_view(), name="share_article_sent"),
]
