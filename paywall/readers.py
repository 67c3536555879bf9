"""The one place that looks up what a visitor is entitled to, to build their `Reader`."""

from paywall.access import ANONYMOUS, Entitlement, Reader
from paywall.models import Subscription, access_ends


def reader_for_user(user):
    """The `Reader` for `user`: who they are and every subscription window they have had.

    One query, whatever the number of subscriptions and publications; the windows carry their
    dates, so the rule decides at any instant without asking the database again.
    """
    if not user.is_authenticated:
        return ANONYMOUS
    if user.is_staff:
        return Reader(is_authenticated=True, is_staff=True)
    rows = Subscription.objects.filter(user=user, plan__publications__isnull=False).values_list(
        "plan__publications", "starts_at", "ends_at", "cancelled_at"
    )
    entitlements = tuple(
        Entitlement(publication_id, starts_at, access_ends(ends_at, cancelled_at))
        for publication_id, starts_at, ends_at, cancelled_at in rows
    )
    return Reader(is_authenticated=True, entitlements=entitlements)


def reader_for_request(request):
    return reader_for_user(request.user)
