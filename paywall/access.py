"""THE RULE: may this reader read this article, and if not, why not.

Pure: no request, no database, no clock. Everything that shows article text — pages, feeds,
search, sitemaps, emails, comments — builds a `Reader` and asks `can_read`; lists use
`readable_q`, the same rule as a queryset filter.

A publication may let readers sample: a few subscribers-only articles whole in any 30 days. What
a reader has sampled is their `Meter`, one more input to the rule. Only the article page's own
view gives a reader a meter (`paywall.meter`), so no other surface — feeds, search, email —
ever shows sampled text, and only that page counts a read.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import Q

from magazine.models import Article, published_q
from magazine.now import start_of_day

FREE = Article.Access.FREE
REGISTERED = Article.Access.REGISTERED
SUBSCRIBERS = Article.Access.SUBSCRIBERS


class Reason(StrEnum):
    FREE = "free"
    REGISTERED = "registered"
    SUBSCRIBED = "subscribed"
    STAFF = "staff"
    GIFT = "gift"
    EDITION_HELD = "edition_held"  # that one issue's edition, bought (or given) on its own
    NOT_LOGGED_IN = "not_logged_in"
    NO_SUBSCRIPTION = "no_subscription"
    EXPIRED = "expired"
    NOT_PUBLISHED = "not_published"
    SAMPLED = "sampled"  # one of the publication's free articles a month
    SAMPLES_USED_REGISTER = "samples_used_register"  # a free account would give more
    SAMPLES_USED_SUBSCRIBE = "samples_used_subscribe"


# The meter's window: an article counts for 30 days after it was first read whole.
SAMPLING_WINDOW = timedelta(days=30)


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
class Sample:
    """A subscribers-only article read whole as one of its publication's free articles."""

    article_id: int
    publication_id: int
    read_at: datetime


@dataclass(frozen=True)
class Meter:
    """What a reader has sampled lately. `exhausted`: no new free article whatever the counts —
    their record could not be believed (a cookie that fails its signature counts as an
    allowance used up, never as a fresh start), their network is past its daily cap, or the
    request may not count (HEAD). `site_cap` (0: none) bounds free articles across all
    publications."""

    samples: tuple[Sample, ...] = ()
    exhausted: bool = False
    site_cap: int = 0

    def current(self, now):
        return [s for s in self.samples if now - SAMPLING_WINDOW < s.read_at <= now]

    def has_sampled(self, article_id, now):
        return any(s.article_id == article_id for s in self.current(now))

    def used(self, publication_id, now):
        return sum(1 for s in self.current(now) if s.publication_id == publication_id)

    def left(self, publication_id, allowance, now):
        """New free articles of the publication still to be read: its allowance's remainder,
        or the site cap's if that is less (none when exhausted)."""
        if self.exhausted:
            return 0
        left = allowance - self.used(publication_id, now)
        if self.site_cap:
            left = min(left, self.site_cap - len(self.current(now)))
        return max(0, left)

    def used_up(self, publication_id, allowance, now):
        return self.left(publication_id, allowance, now) == 0


@dataclass(frozen=True)
class Reader:
    """Who is reading, reduced to what the rule needs."""

    is_authenticated: bool = False
    is_staff: bool = False
    entitlements: tuple[Entitlement, ...] = field(default=())
    editions: frozenset[int] = frozenset()  # issues whose edition they hold alone (bought)
    gifts: tuple[Gift, ...] = field(default=())
    meter: Meter | None = None

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
    if article.access == REGISTERED:
        return _allow(Reason.REGISTERED) if reader.is_authenticated else _deny(Reason.NOT_LOGGED_IN)
    if article.publication_id in reader.subscribed_publication_ids(now):
        return _allow(Reason.SUBSCRIBED)
    lapsed = any(
        e.publication_id == article.publication_id and e.ends_at <= now for e in reader.entitlements
    )
    sampled = sampling(reader, article, now)
    if sampled is not None and (sampled.allowed or not lapsed):
        return sampled
    if not reader.is_authenticated:
        return _deny(Reason.NOT_LOGGED_IN)
    return _deny(Reason.EXPIRED if lapsed else Reason.NO_SUBSCRIPTION)


def allowance(publication, reader):
    """The free articles a month `publication` gives a reader like `reader`."""
    if reader.is_authenticated:
        return publication.free_articles_registered
    return publication.free_articles_anonymous


def sampling(reader, article, now):
    """The meter's answer for a subscribers-only article the reader is not subscribed to: read
    it as one of the free articles (again, if already counted), or the wall that says what
    would open it — or None where the publication does not let readers sample it."""
    meter = reader.meter
    if meter is None or article.exempt_from_sampling:
        return None
    publication = article.publication
    free = allowance(publication, reader)
    if not free:
        return None
    if meter.has_sampled(article.pk, now):
        return _allow(Reason.SAMPLED)
    if not meter.used_up(article.publication_id, free, now):
        return _allow(Reason.SAMPLED)
    if not reader.is_authenticated and publication.free_articles_registered > free:
        return _deny(Reason.SAMPLES_USED_REGISTER)
    return _deny(Reason.SAMPLES_USED_SUBSCRIBE)


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


def can_read_edition(reader, issue, *, now):
    """Whether `reader` may read `issue`'s digital edition (the printed pages), and why.

    Whoever subscribed to its publication on its cover date may — the issue they were sent,
    whether their access came from the web, a print subscription, a bundle or a comp — and
    staff. So may any current subscriber, unless the publication keeps back issues from before a
    subscription began to those who subscribed then (`back_issues_for_subscribers`). And so may
    whoever holds that one issue's edition on its own (`EditionAccess`: bought, or given)."""
    if reader.is_staff:
        return _allow(Reason.STAFF)
    cover = start_of_day(issue.cover_date)
    mine = [e for e in reader.entitlements if e.publication_id == issue.publication_id]
    current = any(e.covers(now) for e in mine)
    if cover > now:  # not out yet, even for those it will be sent to
        return _deny(Reason.NOT_PUBLISHED)
    cover_day_ends = cover + timedelta(days=1)
    if any(e.starts_at < cover_day_ends and cover < e.ends_at for e in mine):
        return _allow(Reason.SUBSCRIBED)
    if current and issue.publication.back_issues_for_subscribers:
        return _allow(Reason.SUBSCRIBED)
    if issue.pk in reader.editions:
        return _allow(Reason.EDITION_HELD)
    if not reader.is_authenticated:
        return _deny(Reason.NOT_LOGGED_IN)
    return _deny(Reason.EXPIRED if mine and not current else Reason.NO_SUBSCRIPTION)
