from datetime import timedelta

import pytest
from django.utils import timezone

from paywall.access import Reason, can_read
from paywall.models import Plan, Subscription
from paywall.readers import reader_for_user
from paywall.subscriptions import cancel, extend, grant, plan_for_publication
from tests.factories import make_article, make_publication, make_user, subscribe

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
Status = Subscription.Status


@pytest.fixture
def now():
    return timezone.now()


@pytest.mark.parametrize(
    ("starts", "ends", "cancelled", "status"),
    [
        (-10, 10, None, Status.ACTIVE),
        (2, 10, None, Status.PENDING),
        (-10, -1, None, Status.GRACE),  # 7 days' grace by default
        (-30, -8, None, Status.EXPIRED),
        (-10, 10, -1, Status.CANCELLED),
        (-10, 10, 5, Status.ACTIVE),  # cancellation takes effect later
    ],
)
def test_status_follows_from_the_dates_alone(now, starts, ends, cancelled, status):
    subscription = subscribe(
        make_user(),
        make_publication(),
        starts_at=now + starts * DAY,
        ends_at=now + ends * DAY,
        cancelled_at=now + cancelled * DAY if cancelled is not None else None,
    )
    assert subscription.status(at=now) == status
    gives_access = status in {Status.ACTIVE, Status.GRACE}
    assert Subscription.objects.active(at=now).filter(pk=subscription.pk).exists() is gives_access


def test_grace_period_is_a_setting(now, settings):
    settings.PAYWALL_GRACE_DAYS = 0
    subscription = subscribe(
        make_user(), make_publication(), starts_at=now - 30 * DAY, ends_at=now - DAY
    )
    assert subscription.status(at=now) == Status.EXPIRED


def test_bundle_plan_gives_access_to_each_of_its_publications(now):
    first, second, third = make_publication(), make_publication(), make_publication()
    bundle = Plan.objects.create(name="Bundle", slug="bundle")
    bundle.publications.add(first, second)
    user = make_user()
    Subscription.objects.create(user=user, plan=bundle, starts_at=now - DAY, ends_at=now + DAY)
    reader = reader_for_user(user)
    assert reader.subscribed_publication_ids(now) == {first.pk, second.pk}
    assert third.pk not in reader.subscribed_publication_ids(now)


def test_reader_is_built_with_one_query(django_assert_num_queries, now):
    user = make_user()
    for _ in range(3):
        subscribe(user, make_publication(), starts_at=now - DAY)
    with django_assert_num_queries(1):
        reader = reader_for_user(user)
    assert len(reader.subscribed_publication_ids(now)) == 3


def test_grant_creates_then_extends_then_leaves_alone(now):
    user, publication = make_user(), make_publication()
    plan = plan_for_publication(publication)
    first, outcome = grant(user=user, plan=plan, until=now + 30 * DAY, now=now)
    assert outcome == "created"
    again, outcome = grant(user=user, plan=plan, until=now + 60 * DAY, now=now)
    assert (again.pk, outcome) == (first.pk, "extended")
    _, outcome = grant(user=user, plan=plan, until=now + 40 * DAY, now=now)
    assert outcome == "unchanged"
    assert Subscription.objects.get().ends_at == now + 60 * DAY


def test_grant_refuses_an_end_in_the_past(now):
    with pytest.raises(ValueError, match="already passed"):
        grant(user=make_user(), plan=plan_for_publication(make_publication()), until=now - DAY)


def test_extend_from_today_when_already_expired(now):
    subscription = subscribe(
        make_user(), make_publication(), starts_at=now - 60 * DAY, ends_at=now - 30 * DAY
    )
    extend(subscription=subscription, by=10 * DAY, now=now)
    subscription.refresh_from_db()
    assert subscription.ends_at == now + 10 * DAY
    assert subscription.status(at=now) == Status.ACTIVE


def test_cancel_stops_access_at_once(now):
    user, publication = make_user(), make_publication()
    subscription = subscribe(user, publication, starts_at=now - DAY)
    article = make_article(publication=publication, access="subscribers")
    cancel(subscription=subscription, now=now)
    subscription.refresh_from_db()
    assert subscription.status(at=now + timedelta(seconds=1)) == Status.CANCELLED
    decision = can_read(reader_for_user(user), article, now=now + timedelta(seconds=1))
    assert decision.reason == Reason.EXPIRED


def test_a_change_is_not_undone_by_a_request_that_read_before_it(now):
    """A request that read what the reader held just before a change, and writes it to the
    cache just after, is not believed: the reader's generation moved."""
    from django.core.cache import cache

    from paywall.readers import entitlements_key

    user, publication = make_user(), make_publication()
    plan_for_publication(publication)  # the plans as they will be: only the reader changes
    before = reader_for_user(user)
    stale = cache.get(entitlements_key(user.pk))
    subscribe(user, publication, starts_at=now - DAY)
    cache.set(entitlements_key(user.pk), stale)  # the slow request's write, after the change
    assert reader_for_user(user).entitlements != before.entitlements
