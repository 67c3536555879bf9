"""A page of conversations under an article: one query for the page's top-level comments and
every reply under them, however many and however deep, with each author's badges."""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef

from comments.models import Comment
from paywall.models import Subscription

PAGE_PARAMETER = "comments"


@dataclass
class Node:
    comment: Comment
    replies: list = field(default_factory=list)
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False

    def prune(self):
        """Drop removed comments with nothing shown under them; True if this node stays."""
        self.replies = [reply for reply in self.replies if reply.prune()]
        return not self.comment.is_removed or bool(self.replies)


@dataclass(frozen=True)
class ThreadPage:
    number: int
    threads: int
    size: int

    @property
    def count(self):
        return max(1, math.ceil(self.threads / self.size))

    @property
    def offset(self):
        return (self.number - 1) * self.size

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.count


def thread_page(requested, threads):
    """The page asked for in the query string, kept within the pages there are."""
    try:
        number = int(requested)
    except (TypeError, ValueError):
        number = 1
    page = ThreadPage(1, threads, settings.COMMENTS_PAGE_SIZE)
    return ThreadPage(min(max(number, 1), page.count), threads, page.size)


def fetch_threads(article, user, *, page, now):
    """The conversations on `page` as `user` sees them, oldest first, replies nested."""
    heads = (
        Comment.objects.filter(article=article)
        .threads_shown_to(user)
        .order_by("created_at", "pk")
        .values("pk")[page.offset : page.offset + page.size]
    )
    subscribers = Subscription.objects.active(now).filter(
        user=OuterRef("user"), plan__publications=article.publication_id
    )
    comments = (
        Comment.objects.filter(article=article, thread__in=heads)
        .shown_to(user)
        .select_related("user")
        .annotate(author_subscribes=Exists(subscribers))
        .order_by("created_at", "pk")
    )
    return build_threads(comments)


def build_threads(comments):
    """Nest `comments` (parents before their replies) into threads; a reply whose parent is not
    among them is not shown."""
    nodes = {}
    threads = []
    for comment in comments:
        node = nodes[comment.pk] = Node(comment)
        if comment.parent_id is None:
            threads.append(node)
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].replies.append(node)
    return [thread for thread in threads if thread.prune()]


def page_of(comment, user):
    """The number of the page that shows `comment`'s conversation to `user`."""
    earlier = (
        Comment.objects.filter(article_id=comment.article_id)
        .threads_shown_to(user)
        .filter(created_at__lte=comment.thread.created_at)
        .exclude(created_at=comment.thread.created_at, pk__gte=comment.thread_id)
        .count()
    )
    return earlier // settings.COMMENTS_PAGE_SIZE + 1
