"""Buying a subscription: the publication's subscribe page, the choice of a price, the return
from paying, and the provider's webhooks."""

import logging
import uuid
from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import events, sync
from billing.checkout import AlreadySubscribed, PaidElsewhere, covering_until, start_checkout
from billing.models import CheckoutAttempt, Price
from billing.offers import offers_for
from billing.providers import InvalidWebhook, ProviderError, provider, provider_class
from billing.providers.stripe import StripeProvider
from billing.responses import safe_next, see_other, unavailable, whole_number
from magazine.models import Publication

log = logging.getLogger(__name__)


def subscribe(request, publication):
    """What a reader can buy to read `publication`: its own plans and the bundles it is in (or
    the publisher's own subscribe page, if it sells elsewhere)."""
    publication = get_object_or_404(Publication, slug=publication)
    if publication.subscribe_url:  # as the paywall's Subscribe button does
        return redirect(publication.subscribe_url)
    offers = offers_for(publication)
    now = timezone.now()
    if request.user.is_authenticated:
        for offer in offers:
            offer.covered_until = covering_until(request.user, offer.plan, now=now)
    chosen = whole_number(request.GET.get("price"))
    chosen_offer, chosen_price = next(
        ((offer, price) for offer in offers for price in offer.prices if price.pk == chosen),
        (None, None),
    )
    context = {
        "publication": publication,
        "offers": offers,
        "chosen_offer": chosen_offer if chosen_offer and not chosen_offer.covered_until else None,
        "chosen_price": chosen_price,
        "next": safe_next(request, request.GET.get("next", "")),
        "sells_here": provider_class().takes_payments_online,
        "now": now,
    }
    return render(request, "billing/subscribe.html", context)


@never_cache
@require_POST
def checkout(request):
    """The reader chose a price: off to pay for it (logging in first if need be)."""
    prices = Price.objects.offered().select_related("plan")
    price = get_object_or_404(prices, pk=whole_number(request.POST.get("price")))
    publication = price.plan.publications.order_by("position").first()
    next_path = safe_next(request, request.POST.get("next", ""))
    if not request.user.is_authenticated:
        back = reverse("subscribe", kwargs={"publication": publication.slug})
        query = urlencode({"price": price.pk, **({"next": next_path} if next_path else {})})
        return redirect_to_login(f"{back}?{query}#choice")
    try:
        attempt = start_checkout(provider(), user=request.user, price=price, next_path=next_path)
    except AlreadySubscribed as already:
        context = {"price": price, "until": already.until, "next": next_path, "now": timezone.now()}
        return render(request, "billing/already.html", context, status=HTTPStatus.CONFLICT)
    except PaidElsewhere as paid:  # the other tab's payment: confirmed there, not charged twice
        return see_other(f"{reverse('billing:return')}?attempt={paid.attempt.pk}")
    except ProviderError as error:
        return unavailable(request, error)
    return see_other(attempt.url)


@never_cache
@login_required
def returned(request):
    """Back from paying: the checkout is synced here and now (the webhook may come before or
    after; whichever is second finds nothing to do), so the reader reads at once."""
    attempt = get_object_or_404(
        CheckoutAttempt.objects.select_related("price__plan", "edition_order__issue__publication"),
        pk=_uuid(request.GET.get("attempt")),
        user=request.user,
    )
    try:
        sync.sync_checkout(provider(attempt.provider), attempt.external_id)
    except ProviderError as error:
        return unavailable(request, error)
    attempt.refresh_from_db()
    complete = attempt.status == CheckoutAttempt.Status.COMPLETE
    context = {"attempt": attempt, "next": attempt.next_path}
    template = "billing/welcome.html" if complete else "billing/processing.html"
    if complete and attempt.kind == CheckoutAttempt.Kind.GIFT:
        template = "billing/gift_bought.html"
    if complete and attempt.kind == CheckoutAttempt.Kind.EDITION:
        # Paid only once its payment is recorded: until then, the issue is not theirs yet.
        paid = attempt.edition_order.paid_at is not None
        template = "billing/edition_bought.html" if paid else "billing/processing.html"
    return render(request, template, context)


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@never_cache
@login_required
def cancelled(request):
    attempt = CheckoutAttempt.objects.filter(
        pk=_uuid(request.GET.get("attempt")), user=request.user
    ).first()
    return render(request, "billing/cancelled.html", {"attempt": attempt})


@csrf_exempt
def stripe_webhook(request):
    """Stripe's events. 400: not signed with our secret (nothing kept); 200: kept (or a
    duplicate); 500: acting on it failed, so Stripe sends it again."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        event = StripeProvider.parse_webhook(request)
    except InvalidWebhook as error:
        return HttpResponse(f"Not a signed event: {error}", status=400, content_type="text/plain")
    try:
        outcome = events.receive(StripeProvider.name, event)
    except events.EventFailed:
        return HttpResponse("Failed; send it again.", status=500, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
