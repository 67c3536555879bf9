"""Walking the test provider's checkout as a reader does, with its events delivered."""

from http import HTTPStatus

from django.test import TestCase

from billing.models import PaidSubscription


def delivered():
    """Run the provider's events (and their emails) as they would arrive: after the commit."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def checkout(client, price, *, next_path=""):
    response = client.post("/billing/checkout/", {"price": price.pk, "next": next_path})
    assert response.status_code == HTTPStatus.SEE_OTHER, response.content
    return response.url


def subscribe_and_pay(client, price, *, next_path=""):
    """The logged-in reader of `client` buys `price`; returns their PaidSubscription."""
    url = checkout(client, price, next_path=next_path)
    with delivered():
        paid = client.post(url, {"outcome": "succeed"})
        client.get(paid.url)
    return PaidSubscription.objects.latest("pk")
