from django.urls import path

from newsletters import views

urlpatterns = [
    path("signup/", views.signup, name="newsletter_signup"),
    path("confirm/<str:token>/", views.confirm, name="newsletter_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
    path("<slug:slug>/", views.archive, name="newsletter_archive"),
    path("<slug:slug>/<int:pk>/", views.issue, name="newsletter_issue"),
]
