"""What the comment section under an article shows to the reader in front of it.

The article carries its `comments.summary.attach_summary`, so the section costs one
query at most (the page of conversations), whatever the number of comments.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import settings_for
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
    page: ThreadPage
    closes_at: datetime | None
    load_threads: Callable[[], list]
    make_form: Callable[[], CommentForm] | None  # None: this reader may not comment here
    replying_to: str | None  # the comment a reply is asked for (?replyto= or a rejected reply)
    # Whose rendering of the conversation this is: "" when every reader like this one sees the
    # same, a user id when it shows their own comments, None when it must not be kept at all
    # (staff tools carry per-visitor form tokens; a rejected comment carries what was typed).
    audience: str | None
    now: datetime | None = None
    ban_reason: str | None = None
    ban_until: datetime | None = None
    pending: int = 0

    @cached_property
    def threads(self):
        return self.load_threads()

    @cached_property
    def form(self):
        return self.make_form() if self.make_form else None

    @cached_property
    def login_url(self):
        return login_url(self.article, self.page)

    @cached_property
    def reply_to(self):
        return find_reply_to(self.form, lambda: self.threads)

    @property
    def has_threads(self):
        return self.shown and self.page.threads > 0

    @property
    def max_depth(self):
        return settings.COMMENTS_MAX_DEPTH

    @property
    def moderation_url(self):
        query = urlencode({"article__id__exact": self.article.pk, "status__exact": "pending"})
        return f"{reverse('admin:comments_comment_changelist')}?{query}"

    @cached_property
    def cache_key(self):
        """What the page of conversations depends on, for caching its rendering; None when it
        must be rendered for this request alone (staff tools, a reply form inside a thread)."""
        if self.audience is None or (self.make_form and self.replying_to):
            return None
        viewer = "reply" if self.decision.allowed else str(self.decision.reason)
        version = self.article.comments_version
        return f"{self.article.pk}:{version}:{self.page.number}:{viewer}:{self.audience}"


def comment_section(request, article, *, access, now, form=None):
    """The section for `article` as `request`'s reader sees it at `now`, or None when the
    article takes no comments (a preview of an unpublished one); `form` is a rejected comment
    to show again, with what the reader typed. The conversations themselves are fetched only
    if the page shows them and has no cached rendering of them."""
    if not article.is_published(at=now):
        return None
    user = request.user
    decision = commenting_decision(request, article, access=access, now=now)
    page = thread_page(request.GET.get(PAGE_PARAMETER), article.comment_threads)
    # The conversation quotes the article: only readers of the whole article see it.
    shown = access.allowed and article.comment_threads > 0

    def load_threads():
        threads = fetch_threads(article, user, page=page, now=now) if shown else []
        mark_actions(threads, user, may_post=decision.allowed, now=now)
        return threads

    replying_to = form["parent"].value() if form is not None else request.GET.get("replyto")

    def make_form():
        initial = {"parent": replying_to}
        return form or CommentForm(article=article, user=user, initial=initial)

    return CommentSection(
        article=article,
        count=article.comment_count,
        decision=decision,
        shown=access.allowed,
        page=page,
        closes_at=closes_at(article),
        load_threads=load_threads,
        make_form=make_form if decision else None,
        replying_to=replying_to,
        audience=None if form is not None else audience(user, article),
        now=now,
        ban_reason=article.comment_ban_reason,
        ban_until=article.comment_ban_until,
        pending=article.comments_pending,
    )


def audience(user, article):
    """Staff: nobody else (None). A reader with comments of their own here, or banned (the page
    says why): that reader alone. Anyone else: every reader like them ("")."""
    if user.is_staff:
        return None
    own = article.viewer_comments or article.comment_ban_reason is not None
    return str(user.pk) if own else ""


def commenting_decision(request, article, *, access, now):
    """`may_comment` for the request's reader, on an article carrying its comment summary."""
    return may_comment(
        request.reader,
        article,
        commenters=settings_for(article.publication).commenters,
        access=access,
        banned=article.comment_ban_reason is not None,
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
    """The comment the form answers, when it is one shown on this page and takes replies
    (`threads` gives the page's conversations, fetched only if the form answers one)."""
    if form is None:
        return None
    value = form["parent"].value()
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    stack = list(threads())
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
