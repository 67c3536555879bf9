"""Gift subscriptions: buying one for someone, and redeeming a code."""

from http import HTTPStatus
from urllib.parse import urlencode

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from billing import account, gifts
from billing.forms import GiftForm, RedeemForm
from billing.providers import ProviderError, provider, provider_class
from billing.responses import see_other, unavailable


@never_cache
def buy(request):
    """Choose a year of a plan for someone, their address, a message and a day; then pay.
    A visitor logs in (or signs up) first, before typing anything that a login would lose."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("gift"))
    form = GiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attempt = gifts.buy(provider(), buyer=request.user, **data)
        except ProviderError as error:
            return unavailable(request, error)
        return see_other(attempt.url)
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    context = {"form": form, "sells_here": provider_class().takes_payments_online}
    return render(request, "billing/gift.html", context, status=status)


def redeem_limit():
    per_hour = settings.BILLING_REDEEM_ATTEMPTS_PER_HOUR
    return f"{per_hour}/h/user,{per_hour}/h/ip"


@never_cache
def redeem(request):
    """Enter (or follow a link with) a gift code; logged in, it starts the year."""
    form = RedeemForm(request.POST or None, initial={"code": request.GET.get("code", "")[:40]})
    if not request.user.is_authenticated:
        if request.method == "POST":  # back to the form, with the code typed
            code = urlencode({"code": request.POST.get("code", "")[:40]})
            return redirect_to_login(f"{reverse('gift_redeem')}?{code}")
        return render(request, "billing/redeem.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(
            request, action="redeem", config={"redeem": redeem_limit()}, app="billing"
        ):
            form.add_error(None, "Too many tries: wait an hour, then try again.")
            return render(request, "billing/redeem.html", {"form": form}, status=429)
        try:
            subscription, deferred = account.redeem_gift(request.user, form.cleaned_data["code"])
        except gifts.CannotRedeem as refusal:
            form.add_error("code", str(refusal))
        except ProviderError as error:
            return unavailable(request, error)
        else:
            context = {"subscription": subscription, "deferred": deferred}
            return render(request, "billing/redeemed.html", context)
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return render(request, "billing/redeem.html", {"form": form}, status=status)
