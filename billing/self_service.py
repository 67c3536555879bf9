"""The reader's own changes to their billing, from "My account": cancel, resume, switch, and
the provider's portal for the card and invoices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from billing import account
from billing.forms import CancelForm
from billing.models import Price
from billing.providers import ProviderError
from billing.responses import see_other, unavailable, whole_number
from magazine.site import absolute_url

BILLING = "#billing"


def back():
    return redirect(reverse("account_overview") + BILLING)


def on(moment):
    return date_format(timezone.localtime(moment), "j F Y") if moment else "the end of the period"


def own(request, pk):
    paid = account.of_reader(request.user, pk)
    if paid is None:
        raise Http404("No such subscription of yours.")
    return paid


@never_cache
@login_required
def cancel(request, pk):
    """Ask why (optional), then stop the renewal: reading goes on to the date paid for."""
    paid = own(request, pk)
    line = next(line for line in account.lines_for(request.user) if line.paid.pk == paid.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and line.can_cancel:
        try:
            paid = account.cancel(paid, reason=form.reason_text)
        except ProviderError as error:
            return unavailable(request, error, price=paid.price)
        messages.success(
            request,
            f"Your subscription to {paid.price.plan.name} is cancelled. You keep reading until "
            f"{on(paid.current_period_end)}, and will not be charged again.",
        )
        return back()
    if not line.can_cancel:
        return back()
    return render(request, "billing/cancel.html", {"line": line, "form": form})


@require_POST
@login_required
def resume(request, pk):
    paid = own(request, pk)
    try:
        paid = account.resume(paid)
    except ProviderError as error:
        return unavailable(request, error, price=paid.price)
    messages.success(
        request,
        f"Welcome back: your subscription to {paid.price.plan.name} renews on "
        f"{on(paid.current_period_end)}.",
    )
    return back()


@require_POST
@login_required
def switch(request, pk):
    paid = own(request, pk)
    price = Price.objects.filter(pk=whole_number(request.POST.get("price"))).first()
    if price is None or price.plan_id != paid.price.plan_id or not price.active:
        messages.error(request, "That price cannot be switched to: choose one shown here.")
        return back()
    try:
        paid = account.switch(paid, price)
    except ProviderError as error:
        return unavailable(request, error, price=price)
    messages.success(
        request,
        f"From {on(paid.current_period_end)} your subscription renews at {price.label}.",
    )
    return back()


@require_POST
@login_required
def portal(request):
    """Off to the provider's portal, to change the card or read its invoices."""
    try:
        url = account.portal_url(request.user, absolute_url(reverse("account_overview")))
    except ProviderError as error:
        return unavailable(request, error)
    if url is None:
        messages.error(request, "You have no subscription with a card to update.")
        return back()
    return see_other(url)
