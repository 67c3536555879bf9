"""THE RULE: may this reader read this article, and if not, why not.

Pure: no request, no database, no clock. Everything that shows article text — pages, feeds,
search, sitemaps, emails, comments — builds a `Reader` and asks `can_read`; lists use
`readable_q`, the same rule as a queryset filter.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.db.models import Q

from magazine.models import Article, published_q

FREE = Article.Access.FREE
REGISTERED = Article.Access.REGISTERED
SUBSCRIBERS = Article.Access.SUBSCRIBERS


class Reason(StrEnum):
    FREE = "free"
    REGISTERED = "registered"
    SUBSCRIBED = "subscribed"
    STAFF = "staff"
    GIFT = "gift"
    NOT_LOGGED_IN = "not_logged_in"
    NO_SUBSCRIPTION = "no_subscription"
    EXPIRED = "expired"
    NOT_PUBLISHED = "not_published"


@dataclass(frozen=True)
class Entitlement:
    """Access to one publication from `starts_at` until `ends_at` (grace period included)."""

    publication_id: int
    starts_at: datetime
    ends_at: datetime

    def covers(self, now):
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True)
class Gift:
    """Access to one article, for whoever holds a valid gift link, until `expires_at`."""

    article_id: int
    expires_at: datetime


@dataclass(frozen=True)
class Reader:
    """Who is reading, reduced to what the rule needs."""

    is_authenticated: bool = False
    is_staff: bool = False
    entitlements: tuple[Entitlement, ...] = field(default=())
    gifts: tuple[Gift, ...] = field(default=())

    def subscribed_publication_ids(self, now):
        return frozenset(e.publication_id for e in self.entitlements if e.covers(now))

    def gifted_article_ids(self, now):
        return frozenset(g.article_id for g in self.gifts if now < g.expires_at)


ANONYMOUS = Reader()


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: Reason

    def __bool__(self):
        return self.allowed


def _allow(reason):
    return Access(True, reason)


def _deny(reason):
    return Access(False, reason)


def can_read(reader, article, *, now):
    """Whether `reader` may read all of `article` at `now`, and the reason."""
    if reader.is_staff:
        return _allow(Reason.STAFF)
    if not article.is_published(at=now):
        return _deny(Reason.NOT_PUBLISHED)
    if article.access == FREE:
        return _allow(Reason.FREE)
    if article.pk in reader.gifted_article_ids(now):
        return _allow(Reason.GIFT)
    if not reader.is_authenticated:
        return _deny(Reason.NOT_LOGGED_IN)
    if article.access == REGISTERED:
        return _allow(Reason.REGISTERED)
    if article.publication_id in reader.subscribed_publication_ids(now):
        return _allow(Reason.SUBSCRIBED)
    if any(
        e.publication_id == article.publication_id and e.ends_at <= now for e in reader.entitlements
    ):
        return _deny(Reason.EXPIRED)
    return _deny(Reason.NO_SUBSCRIPTION)


def readable_q(reader, *, now, prefix=""):
    """`can_read` as a filter on articles (or on a relation to them, through `prefix`)."""

    def q(**lookups):
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    if reader.is_staff:
        return Q()
    allowed = q(access=FREE)
    gifts = reader.gifted_article_ids(now)
    if gifts:
        allowed |= q(pk__in=sorted(gifts))
    if reader.is_authenticated:
        allowed |= q(access=REGISTERED)
        subscribed = reader.subscribed_publication_ids(now)
        if subscribed:
            allowed |= q(access=SUBSCRIBERS, publication_id__in=sorted(subscribed))
    return published_q(now, prefix) & allowed
