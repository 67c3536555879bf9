"""The floor: bare Django answering "hello", served exactly like the site, to measure against.

No middleware, no database, no template: what any Django page costs at least on this machine.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="the-floor-has-no-secrets-but-django-wants-one-0123456789",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
)


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
