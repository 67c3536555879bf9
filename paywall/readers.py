"""The one place that looks up what a visitor is entitled to, to build their `Reader`."""

from dataclasses import replace

from django.db.models import DateTimeField, IntegerField, Value
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from caching.generations import bump, cached_at, generations_expire
from paywall.access import ANONYMOUS, Entitlement, Reader
from paywall.gifts import presented_gift
from paywall.models import EditionAccess, Plan, Subscription, access_ends

PLANS = "generation:plans"
ENTITLEMENTS_SECONDS = 60 * 60


def reader_for_user(user):
    """The `Reader` for `user`: who they are, every subscription window they have had and the
    single issues' editions they hold.

    The windows carry their dates, so the rule decides at any instant without asking again;
    they are cached per reader until one of their subscriptions or editions, or a plan, changes.
    """
    if not user.is_authenticated:
        return ANONYMOUS
    if user.is_staff:
        return Reader(is_authenticated=True, is_staff=True)
    entitlements, editions = cached_at(
        entitlements_key(user.pk),
        generations=[PLANS, reader_generation(user.pk)],
        compute=lambda: holdings(user),
        timeout=ENTITLEMENTS_SECONDS,
    )
    return Reader(is_authenticated=True, entitlements=entitlements, editions=editions)


def holdings(user):
    """Every subscription window `user` has had, per publication, and the issues whose edition
    they hold on its own: one query (a union), the cost of building a reader either way."""
    windows = Subscription.objects.filter(user=user, plan__publications__isnull=False).order_by()
    windows = windows.values_list(
        "plan__publications", "starts_at", "ends_at", "cancelled_at", Value(None, IntegerField())
    )
    held = (
        EditionAccess.objects.filter(user=user, revoked_at=None)
        .order_by()
        .values_list(
            Value(None, IntegerField()),
            Value(None, DateTimeField()),
            Value(None, DateTimeField()),
            Value(None, DateTimeField()),
            "issue_id",
        )
    )
    entitlements, editions = [], set()
    for publication_id, starts_at, ends_at, cancelled_at, issue_id in windows.union(held, all=True):
        if issue_id is not None:
            editions.add(issue_id)
        else:
            ends = access_ends(ends_at, cancelled_at)
            entitlements.append(Entitlement(publication_id, starts_at, ends))
    return tuple(entitlements), frozenset(editions)


def readers_for_users(users):
    """The `Reader` of each of `users` (by user id), with one query for all of them: for work
    done for many readers at once, such as an email to each, where one query per reader would
    be most of the cost. Read from the database, not the cache: a send asks at send time. The
    editions they hold alone are left out: what is sent is articles, never the printed pages."""
    readers = {user.pk: reader_with(user, ()) for user in users}
    readers_ids = [user.pk for user in users if not user.is_staff]
    rows = Subscription.objects.filter(
        user_id__in=readers_ids, plan__publications__isnull=False
    ).values_list("user_id", "plan__publications", "starts_at", "ends_at", "cancelled_at")
    windows = {}
    for user_id, publication_id, starts_at, ends_at, cancelled_at in rows:
        entitlement = Entitlement(publication_id, starts_at, access_ends(ends_at, cancelled_at))
        windows.setdefault(user_id, []).append(entitlement)
    for user in users:
        if user.pk in windows:
            readers[user.pk] = reader_with(user, tuple(windows[user.pk]))
    return readers


def reader_with(user, entitlements):
    if user.is_staff:
        return Reader(is_authenticated=True, is_staff=True)
    return Reader(is_authenticated=True, entitlements=entitlements)


def entitlements_key(user_id):
    # Holds (subscription windows, editions held): named apart from the windows alone it once
    # held, so that no entry of that shape is read as this one.
    return f"holdings:{user_id}"


READER_GENERATION = "generation:reader:"


def reader_generation(user_id):
    """Moves whenever what the reader holds changes. A generation, not a deleted entry: a
    request that read the old rows just before the change cannot put them back for an hour."""
    return f"{READER_GENERATION}{user_id}"


def reader_keys(user_id):
    """The cache entries `reader_for_user` reads for the user with `user_id`."""
    return [PLANS, reader_generation(user_id), entitlements_key(user_id)]


def subscription_changing(sender, instance, **kwargs):
    """Note whose subscription (or edition) this was, in case the save gives it to someone
    else."""
    previous = sender.objects.filter(pk=instance.pk).values_list("user_id", flat=True)
    instance._previous_user_id = previous.first() if instance.pk else None


def subscription_changed(sender, instance, **kwargs):
    for user_id in {instance.user_id, getattr(instance, "_previous_user_id", None)} - {None}:
        bump(reader_generation(user_id))


def plans_changed(**kwargs):
    bump(PLANS)


def connect():
    """Forget cached entitlements as soon as what they were built from changes."""
    # Kept past the longest an entry built at it is kept: a lost one only costs a recomputation.
    generations_expire(READER_GENERATION, 2 * ENTITLEMENTS_SECONDS)
    pre_save.connect(subscription_changing, sender=Subscription, dispatch_uid="reader-sub-pre")
    post_save.connect(subscription_changed, sender=Subscription, dispatch_uid="reader-sub-save")
    post_delete.connect(subscription_changed, sender=Subscription, dispatch_uid="reader-sub-delete")
    pre_save.connect(subscription_changing, sender=EditionAccess, dispatch_uid="reader-ed-pre")
    post_save.connect(subscription_changed, sender=EditionAccess, dispatch_uid="reader-ed-save")
    post_delete.connect(subscription_changed, sender=EditionAccess, dispatch_uid="reader-ed-del")
    post_save.connect(plans_changed, sender=Plan, dispatch_uid="reader-plan-save")
    post_delete.connect(plans_changed, sender=Plan, dispatch_uid="reader-plan-delete")
    m2m_changed.connect(
        plans_changed, sender=Plan.publications.through, dispatch_uid="reader-plan-publications"
    )


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
