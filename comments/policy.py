"""The comment rules: who may comment where, which comments wait for a moderator, and what an
author may still do with their comment.

Pure: no request, no database, no clock. Whether the reader may read the article is the
paywall's decision (`paywall.access.can_read`), passed in as `access`, never decided here.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings

from comments.models import Comment, CommentSettings

COMMENTERS = CommentSettings.Commenters
MODERATION = CommentSettings.Moderation


class Reason(StrEnum):
    OPEN = "open"
    STAFF = "staff"
    NOT_PUBLISHED = "not_published"
    CLOSED = "closed"
    TOO_OLD = "too_old"
    NOT_LOGGED_IN = "not_logged_in"
    BANNED = "banned"
    CANNOT_READ = "cannot_read"
    SUBSCRIBERS_ONLY = "subscribers_only"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Reason

    def __bool__(self):
        return self.allowed


def closes_at(article):
    """When comments on `article` close by themselves, or None when they stay open."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if not days or article.publish_at is None:
        return None
    return article.publish_at + timedelta(days=days)


def may_comment(reader, article, *, commenters, access, banned, now):
    """Whether `reader` may comment on `article` at `now`, and the reason.

    `commenters` is the publication's setting, `access` the paywall's answer for this reader
    and article, `banned` whether the reader is banned from commenting.
    """
    if not article.is_published(at=now):
        return Decision(False, Reason.NOT_PUBLISHED)
    if commenters == COMMENTERS.NOBODY:
        return Decision(False, Reason.CLOSED)
    closing = closes_at(article)
    if closing is not None and now >= closing:
        return Decision(False, Reason.TOO_OLD)
    if not reader.is_authenticated:
        return Decision(False, Reason.NOT_LOGGED_IN)
    if reader.is_staff:
        return Decision(True, Reason.STAFF)
    if banned:
        return Decision(False, Reason.BANNED)
    if not access.allowed:
        return Decision(False, Reason.CANNOT_READ)
    subscribed = article.publication_id in reader.subscribed_publication_ids(now)
    if commenters == COMMENTERS.SUBSCRIBERS and not subscribed:
        return Decision(False, Reason.SUBSCRIBERS_ONLY)
    return Decision(True, Reason.OPEN)


def may_reply_to(parent):
    """Whether a reply may hang under `parent`: approved, and not at the deepest level."""
    return parent.status == Comment.Status.APPROVED and parent.depth < settings.COMMENTS_MAX_DEPTH


def needs_moderation(*, moderation, is_staff, has_approved, links):
    """Why a new comment must wait for a moderator, or None when it appears at once.

    `has_approved`: the author already has an approved comment in this publication;
    `links`: how many links the comment has.
    """
    if is_staff:
        return None
    if too_many_links(links):
        return Comment.Hold.LINKS
    if moderation == MODERATION.ALL:
        return Comment.Hold.ALL
    if moderation == MODERATION.FIRST and not has_approved:
        return Comment.Hold.FIRST
    return None


def too_many_links(links):
    """Whether a reader's comment with `links` links waits for a moderator, whatever else."""
    return bool(settings.COMMENTS_HOLD_LINKS) and links >= settings.COMMENTS_HOLD_LINKS


def edit_window():
    return timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)


def may_edit(comment, user, *, now):
    """Authors may edit their comment for a short while after posting it."""
    return (
        comment.user_id == user.pk
        and not comment.is_removed
        and now < comment.created_at + edit_window()
    )


def may_delete(comment, user):
    """Authors may delete their comment at any time."""
    return comment.user_id == user.pk and not comment.is_removed
