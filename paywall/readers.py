"""The one place that looks up what a visitor is entitled to, to build their `Reader`."""

from dataclasses import replace

from paywall.access import ANONYMOUS, Entitlement, Reader
from paywall.models import Subscription, access_ends
from sharing.gifts import presented_gift


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
    """The `Reader` for `request`: its user's, holding the gift link it presents, if any.

    A gift link opens its article to whoever holds it, logged in or not; the token is checked
    here (one query, only when a `?gift=` is present) and the paywall's rule judges its expiry.
    """
    reader = reader_for_user(request.user)
    presented = presented_gift(request)
    if presented is None or not presented.grants:
        return reader
    return replace(reader, gifts=reader.gifts + presented.grants)
