"""Gift links: a subscriber gives a friend one article, whole, for a few days.

The link carries a token this site signed (`?gift=<token>` on the article's address), naming a
`GiftLink` row; the row says which article, until when, and whether staff revoked it. The token
never decides anything by itself: `paywall.readers` turns a valid one into a `Gift` on the
visitor's `Reader`, and the paywall's rule decides, as for any other reader.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signing import BadSignature, Signer
from django.db import transaction
from django.utils import timezone

from magazine.site import absolute_url
from paywall.access import Gift, Reason, can_read
from paywall.models import GiftLink

# Tokens are signed with this salt: it keeps the name of the app gift links began in, so that
# every link given before they moved here still opens its article.
SALT = "sharing.gift-link"
QUERY_PARAMETER = "gift"


class GiftRefused(Exception):
    """The sender may not give (more) gift links for this article."""


def token_for(link):
    return Signer(salt=SALT).sign(str(link.pk))


def url_for(link):
    """The absolute address that opens `link`'s article for whoever holds it."""
    query = urlencode({QUERY_PARAMETER: token_for(link)})
    return absolute_url(f"{link.article.get_absolute_url()}?{query}")


def link_for_token(token):
    """The gift link `token` names, or None when this site did not sign it or the link is gone."""
    try:
        pk = int(Signer(salt=SALT).unsign(token))
    except (BadSignature, ValueError):
        return None
    return GiftLink.objects.select_related("article__publication").filter(pk=pk).first()


@dataclass(frozen=True)
class PresentedGift:
    """The gift token a visitor came with; `link` is None when the token is not a valid one."""

    link: GiftLink | None

    @property
    def grants(self):
        """What the paywall is told: the gifted article, until expiry (or revocation, if sooner)."""
        if self.link is None:
            return ()
        return (Gift(self.link.article_id, self.link.ends_at),)


def presented_gift(request):
    """The request's `?gift=` token, checked once per request: a PresentedGift, or None."""
    if not hasattr(request, "_presented_gift"):
        token = request.GET.get(QUERY_PARAMETER)
        request._presented_gift = PresentedGift(link_for_token(token)) if token else None
    return request._presented_gift


def may_give(reader, article, *, now):
    """Only a subscriber reading the article by their subscription may give it away."""
    return can_read(reader, article, now=now).reason == Reason.SUBSCRIBED


def month_start(now):
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def gifts_left(user, *, now):
    """Gift links `user` may still give this calendar month."""
    given = GiftLink.objects.given_by(user, since=month_start(now)).count()
    return max(0, settings.SHARING_GIFTS_PER_MONTH - given)


def give(*, reader, giver, giver_name, article, count, now):
    """Create `count` gift links to `article` from `giver`, within their monthly allowance."""
    if not may_give(reader, article, now=now):
        raise GiftRefused("Only subscribers who can read this article may give it.")
    with transaction.atomic():
        # Serialises one giver's concurrent sends, so two at once cannot overdraw the allowance.
        get_user_model().objects.select_for_update().filter(pk=giver.pk).first()
        if count > gifts_left(giver, now=now):
            raise GiftRefused("Not enough gift links left this month.")
        expires_at = now + timedelta(days=settings.SHARING_GIFT_DAYS)
        # One INSERT; the rows come back with their ids, which their tokens sign.
        return GiftLink.objects.bulk_create(
            GiftLink(
                article=article,
                giver=giver,
                giver_name=giver_name,
                created_at=now,
                expires_at=expires_at,
            )
            for _ in range(count)
        )


def notice(presented, article, access):
    """What the article page tells a visitor who came with a gift token, as a word for the
    template: "gift", "other_article", "revoked", "expired", "invalid" — or None."""
    if presented is None:
        return None
    link = presented.link
    if link is None:
        return "invalid"
    if link.article_id != article.pk:
        return "other_article"
    if access.reason == Reason.GIFT:
        return "gift"
    if access.allowed:
        return None  # they may read it anyway
    return "revoked" if link.status() == GiftLink.Status.REVOKED else "expired"
