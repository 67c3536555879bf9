"""What an article's comment section needs besides the comments themselves: how many there
are, how many conversations this reader sees, whether they have taken part, and whether they
are banned (or, for staff, how many comments wait for them).

What is the same for every reader is cached until the conversation changes; what is this
reader's own is cached until the conversation, or their bans, change. A warm article page costs
no query for it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from caching.generations import cached_many
from comments.caching import BANS, conversation_key
from comments.models import Ban, Comment
from magazine.changes import CONTENT

SUMMARY_SECONDS = 60 * 60


@dataclass(frozen=True)
class Summary:
    count: int  # approved comments: what the page and the cards say
    threads: int  # conversations this reader sees
    version: str  # changes whenever the conversation or the article does: for cache keys
    own: int = 0  # this reader's comments here, in any state
    pending: int = 0  # comments awaiting moderation (for staff)
    ban_reason: str | None = None
    ban_until: datetime | None = None


def public_key(article_id):
    return f"comments:public:{article_id}"


def own_key(article_id, user_id):
    return f"comments:own:{article_id}:{user_id}"


def summary_entries(article_id, reader_id):
    """The cached parts of a summary, each with the generations it is current at: what anyone
    sees, and what the reader with `reader_id` (None: anonymous or staff) has done here."""
    conversation = conversation_key(article_id)
    entries = {public_key(article_id): [conversation, CONTENT]}
    if reader_id is not None:
        entries[own_key(article_id, reader_id)] = [conversation, BANS]
    return entries


def summary_keys(article_id, reader_id):
    """Every cache entry `comment_summary` reads, generations included."""
    entries = summary_entries(article_id, reader_id)
    return [*{name for names in entries.values() for name in names}, *entries]


def comment_summary(article, user, *, now):
    """The summary for `user` reading `article` at `now`."""
    reader = user.is_authenticated and not user.is_staff
    public, theirs = public_key(article.pk), own_key(article.pk, user.pk)
    computes = {
        public: lambda: public_summary(article),
        theirs: lambda: own_summary(article, user),
    }
    wanted = {
        key: (names, computes[key])
        for key, names in summary_entries(article.pk, user.pk if reader else None).items()
    }
    values, now_at = cached_many(wanted, timeout=SUMMARY_SECONDS)
    count, threads = values[public]
    version = f"{now_at[conversation_key(article.pk)]}:{now_at[CONTENT]}"
    if user.is_staff:
        staff = staff_summary(article, user)
        return Summary(count, staff["threads"], version, pending=staff["pending"])
    if not reader:
        return Summary(count, threads, version)
    own, own_pending_threads, user_bans = values[theirs]
    ban = next((b for b in user_bans if b.is_active(now)), None)
    return Summary(
        count,
        threads + own_pending_threads,
        version,
        own=own,
        ban_reason=ban.reason if ban else None,
        ban_until=ban.until if ban else None,
    )


def public_summary(article):
    """(approved comments, conversations anyone sees), in one query."""
    heads = article.comments.threads_shown_to(AnonymousUser()).values("pk")
    counts = article.comments.aggregate(
        approved=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
        threads=Count("pk", filter=Q(pk__in=heads)),
    )
    return counts["approved"], counts["threads"]


def staff_summary(article, user):
    """{"threads": conversations staff see, "pending": comments waiting}, in one query."""
    heads = article.comments.threads_shown_to(user).values("pk")
    return article.comments.aggregate(
        threads=Count("pk", filter=Q(pk__in=heads)),
        pending=Count("pk", filter=Q(status=Comment.Status.PENDING)),
    )


def own_summary(article, user):
    """(the user's comments here, their conversations awaiting moderation, all their bans)."""
    own = article.comments.filter(user=user).aggregate(
        total=Count("pk"),
        pending_threads=Count("pk", filter=Q(parent=None, status=Comment.Status.PENDING)),
    )
    bans = list(Ban.objects.filter(user=user).order_by("-starts_at"))
    return own["total"], own["pending_threads"], bans


def attach_summary(article, user, *, now):
    """Put the summary on `article`, as the comment section and its views read it."""
    summary = comment_summary(article, user, now=now)
    article.comment_count = summary.count
    article.comment_threads = summary.threads
    article.comments_version = summary.version
    article.viewer_comments = summary.own
    article.comments_pending = summary.pending
    article.comment_ban_reason = summary.ban_reason
    article.comment_ban_until = summary.ban_until
    return article
