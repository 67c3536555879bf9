"""The test provider's own pages: its checkout, where the reader pays (or is declined) with no
money moving, and its customer portal. They exist only while `BILLING_PROVIDER` is `test`."""

from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from billing.models import Price, format_amount
from billing.providers import Declined, ProviderError
from billing.providers.test import TestProvider
from billing.responses import see_other


def the_test_provider():
    if settings.BILLING_PROVIDER != "test":
        raise Http404("The test provider is off.")
    return TestProvider()


def owned(provider, external_id, user, kind):
    """The test provider's `kind` of record `external_id` ("checkout", "customer"), if it is
    `user`'s."""
    try:
        record = provider.record(external_id)
    except ProviderError:
        raise Http404(f"No such {kind}.") from None
    if record.kind != kind or record.data.get("user_id") != user.pk:
        raise Http404(f"No such {kind}.")
    return record


@never_cache
@login_required
def checkout(request, session):
    """Pay (`outcome=succeed`) or be declined (`outcome=decline`)."""
    provider = the_test_provider()
    data = owned(provider, session, request.user, "checkout").data
    context = {
        "session": session,
        "cancel_url": data["cancel_url"],
        "card": provider.card(data["customer"]),
    }
    if data["kind"] == "subscription":
        context["price"] = Price.objects.select_related("plan").get(pk=data["price_id"])
    else:  # a gift or a single issue, as the checkout was opened for it
        item = provider.item(data)
        context["once"] = {
            "name": item["name"],
            "amount": format_amount(item["amount"], item["currency"]),
        }
    if request.method != "POST":
        return render(request, "billing/test_checkout.html", context)
    outcome = request.POST.get("outcome")
    try:
        return see_other(provider.pay(session, succeed=outcome == "succeed"))
    except Declined as declined:
        context["declined"] = str(declined)
        return render(request, "billing/test_checkout.html", context, status=402)


@never_cache
@login_required
def portal(request, customer):
    """The card on file (and another, on request) and the invoices."""
    provider = the_test_provider()
    owned(provider, customer, request.user, "customer")
    if request.method == "POST":
        provider.change_card(customer)
        return see_other(reverse("billing:test_portal", args=[customer]))
    context = {"card": provider.card(customer), "invoices": provider.invoices_of(customer)}
    return render(request, "billing/test_portal.html", context, status=HTTPStatus.OK)
