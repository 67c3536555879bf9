from django.urls import path

from billing import gift_views, issue_views, self_service, test_pages, views

app_name = "billing"

urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("return/", views.returned, name="return"),
    path("cancelled/", views.cancelled, name="cancelled"),
    path("issues/<uuid:key>/buy/", issue_views.buy, name="buy_issue"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("portal/", self_service.portal, name="portal"),
    path("subscriptions/<int:pk>/cancel/", self_service.cancel, name="cancel"),
    path("subscriptions/<int:pk>/resume/", self_service.resume, name="resume"),
    path("subscriptions/<int:pk>/switch/", self_service.switch, name="switch"),
    path("test/checkout/<slug:session>/", test_pages.checkout, name="test_checkout"),
    path("test/portal/<slug:customer>/", test_pages.portal, name="test_portal"),
]

# At /gift/, outside the billing namespace: the address a gift's recipient is sent to.
gift_patterns = [
    path("", gift_views.buy, name="gift"),
    path("redeem/", gift_views.redeem, name="gift_redeem"),
]
