"""Sending an article to friends: one short email each, quoting only what anyone may read.

The email never quotes past the teaser, whoever sends it: its text is what the paywall lets an
anonymous visitor see. It comes from the site (a reader's own address as sender would fail
SPF/DMARC) with replies going to the sender, and leaves through the outbox's task queue.
"""

from email.headerregistry import Address

from django.conf import settings
from django.db import transaction

from magazine.rendering import article_body
from magazine.site import absolute_url
from outbox.tasks import send_later, templated_message
from paywall import gifts
from paywall.access import ANONYMOUS, Reason, can_read
from sharing.models import Share

SUBJECT = "I thought you might be interested in this article on {title}"


def subject_for(article):
    return SUBJECT.format(title=" ".join(article.title.split()))


def what_anyone_sees(article, *, now):
    """(teaser paragraphs in plain text, whether the rest is free too), as the paywall shows
    the article to an anonymous visitor.

    Even an article anyone may read is quoted only to its teaser: the email points to the
    story, it is not a copy of it.
    """
    access = can_read(ANONYMOUS, article, now=now)
    if access.reason == Reason.NOT_PUBLISHED:
        return [], False
    teaser = article_body(article).teaser_text
    return [line.strip() for line in teaser.splitlines() if line.strip()], access.allowed


def share_message(*, article, teaser, sender_name, sender_email, recipient, note, gift_link):
    """The email to one friend, in plain text and HTML; `teaser` is `what_anyone_sees`."""
    paragraphs, free_to_read = teaser
    url = gifts.url_for(gift_link) if gift_link else absolute_url(article.get_absolute_url())
    context = {
        "article": article,
        "publication": article.publication,
        "sender_name": sender_name,
        "note": note,
        "paragraphs": paragraphs,
        "free_to_read": free_to_read,
        "gift_link": gift_link,
        "url": url,
        "site_name": settings.SITE_NAME,
    }
    return templated_message(
        "sharing/email/share",
        context,
        subject=subject_for(article),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        # Replies go to the sender only at an address they have shown is theirs.
        reply_to=[str(Address(display_name=sender_name, addr_spec=sender_email))]
        if sender_email
        else [],
    )


def send_article_share(
    *, article, sender, sender_name, sender_email, recipients, note="", gift=False, reader, now
):
    """Record the share and queue one email per friend; with `gift`, each gets a gift link.

    `sender` is the logged-in user (None for an anonymous visitor) and `reader` their `Reader`;
    gift links raise `gifts.GiftRefused` unless the paywall lets the sender give them.
    """
    with transaction.atomic():
        Share.objects.create(
            article=article,
            sender=sender,
            recipient_count=len(recipients),
            with_gift=gift,
            created_at=now,
        )
        links = [None] * len(recipients)
        if gift:
            links = gifts.give(
                reader=reader,
                giver=sender,
                giver_name=sender_name,
                article=article,
                count=len(recipients),
                now=now,
            )
    teaser = what_anyone_sees(article, now=now)  # the same for every friend
    for recipient, link in zip(recipients, links, strict=True):
        send_later(
            share_message(
                article=article,
                teaser=teaser,
                sender_name=sender_name,
                sender_email=sender_email,
                recipient=recipient,
                note=note,
                gift_link=link,
            )
        )
