from django.urls import path

from print_readers import views

urlpatterns = [
    path("", views.link, name="print_link"),
    path("<int:pk>/unlink/", views.leave, name="print_unlink"),
]
