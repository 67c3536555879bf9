"""The write paths of a comment's life: posting, editing, deleting, and moderating."""

from django.db import transaction

from comments.caching import conversations_changed
from comments.models import Comment, settings_for
from comments.notifications import notify_reply
from comments.policy import MODERATION, needs_moderation, too_many_links
from comments.rendering import count_links


def post_comment(*, article, user, body, parent=None, notify_replies=False, ip_address, now):
    """Save a new comment, approved at once or held for a moderator as the rules say."""
    moderation = settings_for(article.publication).moderation
    # Asked only where the answer counts: a reader's first comment, when those wait.
    has_approved = (
        moderation != MODERATION.FIRST
        or user.is_staff
        or Comment.objects.approved()
        .filter(user=user, article__publication_id=article.publication_id)
        .exists()
    )
    hold = needs_moderation(
        moderation=moderation,
        is_staff=user.is_staff,
        has_approved=has_approved,
        links=count_links(body),
    )
    with transaction.atomic():
        comment = Comment.objects.create_in_thread(
            article=article,
            user=user,
            parent=parent,
            body=body,
            status=Comment.Status.PENDING if hold else Comment.Status.APPROVED,
            held_because=hold or "",
            notify_replies=notify_replies,
            ip_address=ip_address,
            created_at=now,
        )
    if comment.status == Comment.Status.APPROVED:
        notify_reply(comment, now=now)
    return comment


def edit_comment(comment, *, body, now):
    """Change the text; a comment edited to carry many links waits for a moderator again."""
    comment.body = body
    comment.edited_at = now
    if not comment.user.is_staff and too_many_links(count_links(body)):
        comment.status = Comment.Status.PENDING
        comment.held_because = Comment.Hold.LINKS
    comment.save(update_fields=["body", "edited_at", "status", "held_because"])


@transaction.atomic
def delete_comment(comment):
    """Delete `comment`; one with replies stays as "[deleted]" so its thread holds together."""
    if comment.replies.exists():
        comment.status = Comment.Status.DELETED
        comment.body = ""
        comment.notify_replies = False
        comment.save(update_fields=["status", "body", "notify_replies"])
        return
    parent = comment.parent
    comment.delete()
    # A "[deleted]" placeholder that no longer holds up any reply goes too.
    while parent is not None and parent.status == Comment.Status.DELETED:
        if parent.replies.exists():
            break
        grandparent = parent.parent
        parent.delete()
        parent = grandparent


def approve(comments, *, now):
    """Approve those of `comments` awaiting moderation or marked spam; the authors of the
    comments they answer hear about it. Returns how many were approved."""
    waiting = comments.filter(status__in=[Comment.Status.PENDING, Comment.Status.SPAM])
    newly = list(waiting.select_related("user", "article__publication", "parent__user"))
    Comment.objects.filter(pk__in=[c.pk for c in newly]).update(status=Comment.Status.APPROVED)
    conversations_changed(c.article_id for c in newly)
    for comment in newly:
        comment.status = Comment.Status.APPROVED
        notify_reply(comment, now=now)
    return len(newly)


def mark_spam(comments):
    marked = comments.exclude(status=Comment.Status.SPAM)
    article_ids = list(marked.values_list("article_id", flat=True))
    count = marked.update(status=Comment.Status.SPAM)
    conversations_changed(article_ids)
    return count
