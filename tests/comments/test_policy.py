"""The comment rules as a table of cases, without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from comments.models import Comment, CommentSettings
from comments.policy import Reason, may_comment, may_delete, may_edit, needs_moderation
from magazine.models import Article
from paywall.access import ANONYMOUS, Access, Entitlement, Reader
from paywall.access import Reason as ReadReason

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
PUBLICATION = 7
READER = Reader(is_authenticated=True)
SUBSCRIBER = Reader(
    is_authenticated=True,
    entitlements=(Entitlement(PUBLICATION, NOW - timedelta(days=1), NOW + timedelta(days=1)),),
)
STAFF = Reader(is_authenticated=True, is_staff=True)
READS = Access(True, ReadReason.FREE)
DENIED = Access(False, ReadReason.NO_SUBSCRIPTION)
OPEN = CommentSettings.Commenters.READERS
SUBSCRIBERS = CommentSettings.Commenters.SUBSCRIBERS
NOBODY = CommentSettings.Commenters.NOBODY


def article(days_old=1, status=Article.Status.PUBLISHED):
    return Article(
        pk=1, publication_id=PUBLICATION, status=status, publish_at=NOW - timedelta(days=days_old)
    )


@pytest.mark.parametrize(
    ("reader", "commenters", "access", "banned", "piece", "expected"),
    [
        (READER, OPEN, READS, False, article(), Reason.OPEN),
        (ANONYMOUS, OPEN, READS, False, article(), Reason.NOT_LOGGED_IN),
        (READER, NOBODY, READS, False, article(), Reason.CLOSED),
        (STAFF, NOBODY, READS, False, article(), Reason.CLOSED),
        (READER, OPEN, READS, False, article(days_old=91), Reason.TOO_OLD),
        (READER, OPEN, READS, False, article(days_old=89), Reason.OPEN),
        (READER, OPEN, READS, True, article(), Reason.BANNED),
        (STAFF, OPEN, READS, True, article(), Reason.STAFF),
        (READER, OPEN, DENIED, False, article(), Reason.CANNOT_READ),
        (READER, SUBSCRIBERS, READS, False, article(), Reason.SUBSCRIBERS_ONLY),
        (SUBSCRIBER, SUBSCRIBERS, READS, False, article(), Reason.OPEN),
        (STAFF, SUBSCRIBERS, READS, False, article(), Reason.STAFF),
        (READER, OPEN, READS, False, article(status=Article.Status.DRAFT), Reason.NOT_PUBLISHED),
    ],
)
def test_who_may_comment(reader, commenters, access, banned, piece, expected):
    decision = may_comment(
        reader, piece, commenters=commenters, access=access, banned=banned, now=NOW
    )
    assert decision.reason == expected
    assert bool(decision) == (expected in {Reason.OPEN, Reason.STAFF})


def test_closing_after_days_is_a_setting(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    decision = may_comment(
        READER, article(days_old=5000), commenters=OPEN, access=READS, banned=False, now=NOW
    )
    assert decision.reason == Reason.OPEN
    settings.COMMENTS_CLOSE_AFTER_DAYS = 3
    decision = may_comment(
        READER, article(days_old=4), commenters=OPEN, access=READS, banned=False, now=NOW
    )
    assert decision.reason == Reason.TOO_OLD


ALL, FIRST, NONE = CommentSettings.Moderation


@pytest.mark.parametrize(
    ("moderation", "is_staff", "has_approved", "links", "expected"),
    [
        (FIRST, False, False, 0, Comment.Hold.FIRST),
        (FIRST, False, True, 0, None),
        (FIRST, False, True, 1, None),
        (FIRST, False, True, 2, Comment.Hold.LINKS),
        (ALL, False, True, 0, Comment.Hold.ALL),
        (NONE, False, False, 0, None),
        (NONE, False, False, 3, Comment.Hold.LINKS),
        (ALL, True, False, 5, None),
    ],
)
def test_which_comments_wait_for_a_moderator(moderation, is_staff, has_approved, links, expected):
    hold = needs_moderation(
        moderation=moderation, is_staff=is_staff, has_approved=has_approved, links=links
    )
    assert hold == expected


class Author:
    pk = 5


def comment(minutes_ago, status=Comment.Status.APPROVED, user_id=5):
    return Comment(user_id=user_id, status=status, created_at=NOW - timedelta(minutes=minutes_ago))


@pytest.mark.parametrize(
    ("piece", "editable"),
    [
        (comment(1), True),
        (comment(14), True),
        (comment(15), False),
        (comment(1, user_id=6), False),
        (comment(1, status=Comment.Status.PENDING), True),
        (comment(1, status=Comment.Status.DELETED), False),
    ],
)
def test_authors_may_edit_for_a_short_while(piece, editable):
    assert may_edit(piece, Author(), now=NOW) == editable


def test_authors_may_delete_at_any_time():
    assert may_delete(comment(60 * 24 * 365), Author())
    assert not may_delete(comment(1, user_id=6), Author())
    assert not may_delete(comment(1, status=Comment.Status.DELETED), Author())
