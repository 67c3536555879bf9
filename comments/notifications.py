"""The email a reader gets when someone replies to their comment, and its no-login unsubscribe.

The reply is quoted only to a recipient who may read the article now: a reply can quote the
article, and the recipient's subscription may have ended since they commented.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from magazine.site import absolute_url
from outbox.tasks import send_later, templated_message
from paywall.access import can_read
from paywall.readers import reader_for_user

UNSUBSCRIBE_SALT = "comments.unsubscribe"


def unsubscribe_token(comment):
    return signing.dumps(comment.pk, salt=UNSUBSCRIBE_SALT)


def comment_from_token(token):
    """The id of the comment an unsubscribe token is for; BadSignature when it was tampered."""
    return signing.loads(token, salt=UNSUBSCRIBE_SALT)


def notify_reply(reply, *, now):
    """Email the author of the comment `reply` answers, if they asked for it."""
    parent = reply.parent
    if parent is None or not parent.notify_replies or parent.user_id == reply.user_id:
        return
    if not parent.user.email or not parent.user.is_active:
        return
    article = reply.article
    context = {
        "reply": reply,
        "parent": parent,
        "article": article,
        "site_name": settings.SITE_NAME,
        "quote": can_read(reader_for_user(parent.user), article, now=now).allowed,
        "reply_url": absolute_url(reply.get_absolute_url()),
        "unsubscribe_url": absolute_url(
            reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(parent)})
        ),
    }
    send_later(
        templated_message(
            "comments/email/reply",
            context,
            subject=f"{reply.user.get_full_name()} replied to your comment on “{article.title}”",
            to=[parent.user.email],
            headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"},
        )
    )
