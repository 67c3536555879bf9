"""The rule, as a table: who may read what, and why not."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from magazine.models import Article
from paywall.access import ANONYMOUS, Entitlement, Gift, Reader, Reason, can_read, readable_q
from tests.factories import make_publication, make_section

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
PUBLICATION = 1
OTHER = 2

READER = Reader(is_authenticated=True)
STAFF = Reader(is_authenticated=True, is_staff=True)
SUBSCRIBER = Reader(
    is_authenticated=True, entitlements=(Entitlement(PUBLICATION, NOW - 100 * HOUR, NOW + HOUR),)
)
LAPSED = Reader(
    is_authenticated=True, entitlements=(Entitlement(PUBLICATION, NOW - 100 * HOUR, NOW),)
)
OTHER_SUBSCRIBER = Reader(
    is_authenticated=True, entitlements=(Entitlement(OTHER, NOW - HOUR, NOW + HOUR),)
)
NOT_YET = Reader(
    is_authenticated=True, entitlements=(Entitlement(PUBLICATION, NOW + HOUR, NOW + 9 * HOUR),)
)
GIFTED = Reader(gifts=(Gift(article_id=7, expires_at=NOW + HOUR),))
GIFT_EXPIRED = Reader(gifts=(Gift(article_id=7, expires_at=NOW),))


def article(access, *, status="published", publish_at=NOW - HOUR, pk=7):
    return Article(
        pk=pk, publication_id=PUBLICATION, access=access, status=status, publish_at=publish_at
    )


FREE, REGISTERED, SUBSCRIBERS = "free", "registered", "subscribers"

CASES = [
    # reader, article access, allowed, reason
    (ANONYMOUS, FREE, True, Reason.FREE),
    (ANONYMOUS, REGISTERED, False, Reason.NOT_LOGGED_IN),
    (ANONYMOUS, SUBSCRIBERS, False, Reason.NOT_LOGGED_IN),
    (READER, FREE, True, Reason.FREE),
    (READER, REGISTERED, True, Reason.REGISTERED),
    (READER, SUBSCRIBERS, False, Reason.NO_SUBSCRIPTION),
    (SUBSCRIBER, SUBSCRIBERS, True, Reason.SUBSCRIBED),
    (SUBSCRIBER, REGISTERED, True, Reason.REGISTERED),
    (LAPSED, SUBSCRIBERS, False, Reason.EXPIRED),
    (OTHER_SUBSCRIBER, SUBSCRIBERS, False, Reason.NO_SUBSCRIPTION),
    (NOT_YET, SUBSCRIBERS, False, Reason.NO_SUBSCRIPTION),
    (STAFF, SUBSCRIBERS, True, Reason.STAFF),
    (GIFTED, SUBSCRIBERS, True, Reason.GIFT),
    (GIFTED, REGISTERED, True, Reason.GIFT),
    (GIFT_EXPIRED, SUBSCRIBERS, False, Reason.NOT_LOGGED_IN),
]


@pytest.mark.parametrize(("reader", "access", "allowed", "reason"), CASES)
def test_can_read(reader, access, allowed, reason):
    decision = can_read(reader, article(access), now=NOW)
    assert decision.allowed is allowed
    assert decision.reason == reason
    assert bool(decision) is allowed


def test_a_gift_opens_only_its_own_article():
    assert not can_read(GIFTED, article(SUBSCRIBERS, pk=8), now=NOW)


def test_subscription_is_read_at_the_instant_asked():
    assert can_read(SUBSCRIBER, article(SUBSCRIBERS), now=NOW)
    assert can_read(SUBSCRIBER, article(SUBSCRIBERS), now=NOW + HOUR).reason == Reason.EXPIRED


@pytest.mark.parametrize("reader", [ANONYMOUS, READER, SUBSCRIBER, GIFTED])
@pytest.mark.parametrize(
    "unpublished",
    [
        {"status": "draft"},
        {"status": "review"},
        {"publish_at": NOW + HOUR},
        {"publish_at": None},
    ],
)
def test_nobody_but_staff_reads_what_is_not_published(reader, unpublished):
    decision = can_read(reader, article(FREE, **unpublished), now=NOW)
    assert decision.reason == Reason.NOT_PUBLISHED
    assert not decision
    assert can_read(STAFF, article(FREE, **unpublished), now=NOW)


# readable_q is the same rule as a filter: prove it over a grid of readers × articles × times.

READERS = [ANONYMOUS, READER, SUBSCRIBER, LAPSED, OTHER_SUBSCRIBER, NOT_YET, STAFF, GIFTED]
TIMES = [NOW - 200 * HOUR, NOW, NOW + HOUR, NOW + 10 * HOUR]


@pytest.mark.django_db
def test_readable_q_agrees_with_can_read():
    home = make_section(make_publication())
    away = make_section(make_publication())
    articles = []
    for section, access, status, offset in product(
        [home, away],
        Article.Access.values,
        Article.Status.values,
        [-150 * HOUR, -HOUR, 2 * HOUR],
    ):
        articles.append(
            Article.objects.create(
                publication=section.publication,
                section=section,
                title="x",
                slug=f"a{len(articles)}",
                body="x",
                access=access,
                status=status,
                publish_at=NOW + offset,
            )
        )
    remap = {PUBLICATION: home.publication_id, OTHER: away.publication_id, 7: articles[8].pk}
    for reader, now in product(READERS, TIMES):
        reader = relocate(reader, remap)
        expected = {a.pk for a in articles if can_read(reader, a, now=now)}
        found = set(
            Article.objects.filter(readable_q(reader, now=now)).values_list("pk", flat=True)
        )
        assert found == expected, (reader, now)


def relocate(reader, remap):
    """The same reader, with the table's ids mapped onto rows in the database."""
    return Reader(
        is_authenticated=reader.is_authenticated,
        is_staff=reader.is_staff,
        entitlements=tuple(
            Entitlement(remap[e.publication_id], e.starts_at, e.ends_at)
            for e in reader.entitlements
        ),
        gifts=tuple(Gift(remap[g.article_id], g.expires_at) for g in reader.gifts),
    )
