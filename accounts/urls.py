from django.urls import include, path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("", views.AccountView.as_view(), name="account_overview"),
    path("feed/", views.reset_private_feed, name="account_private_feed"),
    path("", include("allauth.urls")),
]
