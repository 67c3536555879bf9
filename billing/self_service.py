"""The reader's own changes to their billing, from "My account": cancel, resume, switch, and
the provider's portal for the card and invoices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from billing import account
from billing.forms import CancelForm
from billing.models import format_day
from billing.providers import ProviderError
from billing.responses import see_other, unavailable, whole_number
from magazine.site import absolute_url


def back():
    """To "My account", whose top shows the message: a fragment would scroll past it."""
    return redirect("account_overview")


def on(moment):
    return format_day(moment, otherwise="the end of the period")


def own(request, pk):
    line = account.line_of(request.user, pk)
    if line is None:
        raise Http404("No such subscription of yours.")
    return line


@never_cache
@login_required
def cancel(request, pk):
    """Ask why (optional), then stop the renewal: reading goes on to the date paid for."""
    line = own(request, pk)
    if not line.can_cancel:
        messages.error(request, "This subscription does not renew: there is nothing to cancel.")
        return back()
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            paid = account.cancel(line.paid, reason=form.reason_text)
        except ProviderError as error:
            return unavailable(request, error)
        messages.success(
            request,
            f"Cancelled: {paid.price.plan.name} will not renew. You keep reading until "
            f"{on(paid.current_period_end)}, and will not be charged again.",
        )
        return back()
    return render(request, "billing/cancel.html", {"line": line, "form": form})


@require_POST
@login_required
def resume(request, pk):
    line = own(request, pk)
    if not line.can_resume:
        messages.error(
            request,
            "This subscription has ended and cannot be resumed: subscribe again from the "
            "publication's subscribe page.",
        )
        return back()
    try:
        paid = account.resume(line.paid)
    except ProviderError as error:
        return unavailable(request, error)
    messages.success(
        request, f"Welcome back: {paid.price.plan.name} renews on {on(paid.current_period_end)}."
    )
    return back()


@require_POST
@login_required
def switch(request, pk):
    line = own(request, pk)
    price = line.switch_to
    if price is None or price.pk != whole_number(request.POST.get("price")):
        messages.error(request, "That price cannot be switched to: choose one shown here.")
        return back()
    try:
        paid = account.switch(line.paid, price)
    except ProviderError as error:
        return unavailable(request, error)
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
