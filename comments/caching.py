"""When a comment changes, pages showing conversations must not show the old one: the article's
conversation generation moves (for its cached comment list), and so does the site-wide one (for
cached whole pages)."""

from django.db.models.signals import post_delete, post_save

from caching.generations import bump
from caching.pages import anonymous_pages_show
from comments.models import Ban, Comment, CommentSettings
from magazine import changes

CONVERSATIONS = "generation:conversations"
BANS = "generation:comment-bans"


def conversation_key(article_id):
    return f"generation:conversation:{article_id}"


def conversations_changed(article_ids):
    """Call after changing comments in bulk (`update()` sends no signals)."""
    for article_id in set(article_ids):
        bump(conversation_key(article_id))
    bump(CONVERSATIONS)


def comment_changed(sender, instance, **kwargs):
    conversations_changed([instance.article_id])


def bans_changed(**kwargs):
    bump(BANS)


def connect():
    post_save.connect(comment_changed, sender=Comment, dispatch_uid="conversation-save")
    post_delete.connect(comment_changed, sender=Comment, dispatch_uid="conversation-delete")
    post_save.connect(bans_changed, sender=Ban, dispatch_uid="bans-save")
    post_delete.connect(bans_changed, sender=Ban, dispatch_uid="bans-delete")
    changes.connect(CommentSettings)  # who may comment shows on every article page
    anonymous_pages_show(CONVERSATIONS)  # every article page shows its conversation
