"""Write paths for subscriptions: grant, extend, cancel. Each is atomic and safe to repeat."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from magazine.now import start_of_day
from paywall.models import Plan, Subscription


def end_of_day(date):
    """The first instant after `date` in the site's time zone: access "until" a date includes it."""
    return start_of_day(date + dt.timedelta(days=1))


def plan_for_publication(publication):
    """The plan that covers exactly this one publication, created on first use."""
    plan, created = Plan.objects.get_or_create(
        slug=publication.slug,
        defaults={"name": f"{publication.name} subscription"},
    )
    if created:
        plan.publications.add(publication)
    return plan


@transaction.atomic
def grant(*, user, plan, until, source=Subscription.Source.STAFF, note="", now=None):
    """Give `user` access through `plan` until `until`.

    Extends the user's current subscription to the plan if there is one, else starts a new
    one. Returns (subscription, outcome) with outcome "created", "extended" or "unchanged".
    """
    now = now or timezone.now()
    if until <= now:
        raise ValueError("The end date has already passed.")
    current = (
        Subscription.objects.select_for_update()
        .filter(user=user, plan=plan)
        .exclude(source=Subscription.Source.PRINT)  # those follow their print record's dates
        .active(now)
        .order_by("-ends_at")
        .first()
    )
    if current is None:
        subscription = Subscription.objects.create(
            user=user, plan=plan, starts_at=now, ends_at=until, source=source, note=note
        )
        return subscription, "created"
    if current.ends_at >= until:
        return current, "unchanged"
    current.ends_at = until
    current.save(update_fields=["ends_at", "updated_at"])
    return current, "extended"


@transaction.atomic
def extend(*, subscription, by, now=None):
    """Push the end date `by` (a timedelta) further, from today if it has already passed."""
    now = now or timezone.now()
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    subscription.ends_at = max(subscription.ends_at, now) + by
    subscription.cancelled_at = None
    subscription.save(update_fields=["ends_at", "cancelled_at", "updated_at"])
    return subscription


@transaction.atomic
def cancel(*, subscription, now=None):
    """Stop access now. Cancelling a cancelled subscription keeps the first cancellation."""
    now = now or timezone.now()
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.cancelled_at is None or subscription.cancelled_at > now:
        subscription.cancelled_at = now
        subscription.save(update_fields=["cancelled_at", "updated_at"])
    return subscription
