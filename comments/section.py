"""What the comment section under an article shows to the reader in front of it.

The article comes annotated by `comments.counts.with_comment_summary`, so the section costs one
query at most (the page of conversations), whatever the number of comments.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment, settings_for
from comments.policy import (
    Decision,
    closes_at,
    may_comment,
    may_delete,
    may_edit,
    may_reply_to,
)
from comments.threads import PAGE_PARAMETER, ThreadPage, fetch_threads, thread_page


@dataclass
class CommentSection:
    article: object
    count: int
    decision: Decision
    shown: bool
    threads: list
    page: ThreadPage
    form: CommentForm | None
    reply_to: Comment | None
    login_url: str
    closes_at: datetime | None
    now: datetime | None = None
    ban_reason: str | None = None
    ban_until: datetime | None = None
    pending: int = 0

    @property
    def max_depth(self):
        return settings.COMMENTS_MAX_DEPTH

    @property
    def moderation_url(self):
        query = urlencode({"article__id__exact": self.article.pk, "status__exact": "pending"})
        return f"{reverse('admin:comments_comment_changelist')}?{query}"


def comment_section(request, article, *, access, now, form=None):
    """The section for `article` as `request`'s reader sees it at `now`, or None when the
    article takes no comments (a preview of an unpublished one); `form` is a rejected comment
    to show again, with what the reader typed."""
    if not article.is_published(at=now):
        return None
    user = request.user
    decision = commenting_decision(request, article, access=access, now=now)
    page = thread_page(request.GET.get(PAGE_PARAMETER), article.comment_threads)
    # The conversation quotes the article: only readers of the whole article see it.
    shown = access.allowed and article.comment_threads > 0
    threads = fetch_threads(article, user, page=page, now=now) if shown else []
    mark_actions(threads, user, may_post=decision.allowed, now=now)
    if decision and form is None:
        initial = {"parent": request.GET.get("replyto")}
        form = CommentForm(article=article, user=user, initial=initial)
    reply_to = find_reply_to(form, threads)
    return CommentSection(
        article=article,
        count=article.comment_count,
        decision=decision,
        shown=access.allowed,
        threads=threads,
        page=page,
        form=form if decision else None,
        reply_to=reply_to,
        login_url=login_url(article, page),
        closes_at=closes_at(article),
        now=now,
        ban_reason=getattr(article, "comment_ban_reason", None),
        ban_until=getattr(article, "comment_ban_until", None),
        pending=getattr(article, "comments_pending", 0),
    )


def commenting_decision(request, article, *, access, now):
    """`may_comment` for the request's reader, on an article from `with_comment_summary`."""
    return may_comment(
        request.reader,
        article,
        commenters=settings_for(article.publication).commenters,
        access=access,
        banned=getattr(article, "comment_ban_reason", None) is not None,
        now=now,
    )


def mark_actions(nodes, user, *, may_post, now):
    """Note on each node what `user` may do with its comment: reply, edit, delete."""
    for node in nodes:
        comment = node.comment
        node.can_reply = may_post and may_reply_to(comment)
        node.can_edit = user.is_authenticated and may_edit(comment, user, now=now)
        node.can_delete = user.is_authenticated and may_delete(comment, user)
        mark_actions(node.replies, user, may_post=may_post, now=now)


def find_reply_to(form, threads):
    """The comment the form answers, when it is one shown on this page and takes replies."""
    if form is None:
        return None
    value = form["parent"].value()
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    stack = list(threads)
    while stack:
        node = stack.pop()
        if node.comment.pk == pk:
            return node.comment if may_reply_to(node.comment) else None
        stack.extend(node.replies)
    return None


def login_url(article, page):
    """The login page, coming back to the comment form."""
    back = article.get_absolute_url()
    if page.number > 1:
        back += f"?{PAGE_PARAMETER}={page.number}"
    return f"{reverse('account_login')}?{urlencode({'next': back + '#comment-form'})}"
