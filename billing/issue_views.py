"""Buying one issue's digital edition on its own, from the issue's page."""

from http import HTTPStatus

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from billing import single_issues
from billing.checkout import PaidElsewhere
from billing.providers import ProviderError, provider
from billing.responses import see_other, unavailable
from magazine.models import Issue


@never_cache
@require_POST
def buy(request, key):
    """Off to pay for the issue whose edition is `key` (its random key, not a countable id).
    A visitor logs in first and comes back to the issue's page, where the button is."""
    issue = get_object_or_404(
        Issue.objects.select_related("publication").exclude(edition=""), edition_key=key
    )
    page = issue.get_absolute_url()
    if not request.user.is_authenticated:
        return redirect_to_login(page)
    try:
        attempt = single_issues.buy(provider(), user=request.user, issue=issue, next_path=page)
    except single_issues.AlreadyReadable:  # bought in another tab, or subscribed meanwhile
        return see_other(reverse("edition", kwargs={"key": issue.edition_key}))
    except PaidElsewhere as paid:  # an older checkout paid meanwhile: confirmed there, once
        return see_other(f"{reverse('billing:return')}?attempt={paid.attempt.pk}")
    except single_issues.NotForSale as refusal:
        context = {"issue": issue, "message": str(refusal)}
        return render(request, "billing/not_for_sale.html", context, status=HTTPStatus.CONFLICT)
    except ProviderError as error:
        return unavailable(request, error)
    return see_other(attempt.url)
