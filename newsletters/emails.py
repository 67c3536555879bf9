"""What a newsletter email says to one recipient, and its headers.

The paywall's rule decides, per recipient and at send time, whether the email carries the
article whole or its teaser. The HTML is rendered once per answer the rule can give (the
recipients it treats alike get the same words), and the plain-text part is made from that HTML —
never from the article's source — so neither part can hold more than the recipient may read.
Only the unsubscribe address differs between two recipients of one rendering.
"""

from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

from magazine import site
from magazine.rendering import article_body
from outbox.headers import single_line
from paywall.access import can_read
from paywall.templatetags.paywall_tags import subscribe_href

UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
# Stands in for the recipient's own unsubscribe address while the shared rendering is made.
UNSUBSCRIBE_MARK = "https://unsubscribe.invalid/mark"
TEXT = ParserConfig(display_links=True, css=CSS_PROFILES["strict"])


def unsubscribe_token(signup_id):
    """A token for one signup (one recipient, one newsletter) that never expires: an old
    email's link must keep working."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(signup_id))


def signup_for_token(token):
    """The signup id `token` was made for; None when it was not made by this site."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdecimal() else None


def unsubscribe_url(signup_id):
    token = unsubscribe_token(signup_id)
    return site.absolute_url(reverse("newsletter_unsubscribe", kwargs={"token": token}))


def unsubscribe_mailbox():
    """The address mail clients write to when they unsubscribe by email."""
    configured = settings.NEWSLETTER_UNSUBSCRIBE_ADDRESS
    if configured:
        return configured
    return "unsubscribe@" + parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]


def text_from_html(html):
    """The plain-text part: the HTML as a reader would read it, links written out."""
    return get_text(html, TEXT).strip() + "\n"


def sender(newsletter):
    """The newsletter's name on the site's own address (the one its mail is authorised for)."""
    return formataddr(
        (single_line(newsletter.sender_name), parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    )


def list_headers(newsletter, signup_id):
    """The headers that let mail clients offer unsubscribing in one click (RFC 2369, 2919,
    8058)."""
    token = unsubscribe_token(signup_id)
    subject = urlencode({"subject": f"unsubscribe {token}"}, quote_via=quote)
    mailto = f"mailto:{unsubscribe_mailbox()}?{subject}"
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(signup_id)}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # formataddr: the name encoded if it must be, the id itself left bare (RFC 2919).
        "List-Id": formataddr((single_line(newsletter.name), f"{newsletter.slug}.{list_domain()}")),
    }


def list_domain():
    return site.domain().partition(":")[0] or "localhost"


class Rendering:
    """One send's email, rendered once per kind of recipient and addressed to each."""

    def __init__(self, send, *, now):
        self.send = send
        self.newsletter = send.newsletter
        self.now = now
        self._parts = {}

    def access(self, reader):
        """The paywall's answer for this reader (digests carry no article text: no question)."""
        if self.send.is_digest:
            return None
        return can_read(reader, self.send.article, now=self.now)

    def parts(self, access):
        """(HTML, text) for recipients given `access`, rendered the first time it is asked."""
        key = None if access is None else (access.allowed, access.reason)
        if key not in self._parts:
            html = self._render(access)
            self._parts[key] = (html, text_from_html(html))
        return self._parts[key]

    def _render(self, access):
        publication = self.newsletter.publication
        context = {
            "newsletter": self.newsletter,
            "publication": publication,
            "send": self.send,
            "site_name": settings.SITE_NAME,
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "preferences_url": site.absolute_url(reverse("newsletter_preferences")),
            "archive_url": site.absolute_url(self.newsletter.get_absolute_url()),
        }
        if self.send.is_digest:
            context["articles"] = [
                {"article": article, "url": site.absolute_url(article.get_absolute_url())}
                for article in self.send.digest_articles(self.now)
            ]
            return render_to_string("newsletters/email/digest.html", context)
        article = self.send.article
        body = article_body(article)
        article_url = site.absolute_url(article.get_absolute_url())
        context |= {
            "article": article,
            "access": access,
            "teaser": body.teaser,
            "rest": body.rest if access.allowed else "",
            "article_url": article_url,
            "subscribe_url": site.absolute_url(subscribe_href(publication, article)),
            "login_url": site.absolute_url(
                f"{reverse('account_login')}?{urlencode({'next': article.get_absolute_url()})}"
            ),
            "image_url": site.absolute_url(article.lead_image.url) if article.lead_image else "",
        }
        return render_to_string("newsletters/email/article.html", context)

    def message(self, signup, address, reader):
        """The email for `signup` at `address`, as the paywall lets `reader` read it."""
        html, text = self.parts(self.access(reader))
        own_url = unsubscribe_url(signup.pk)
        message = EmailMultiAlternatives(
            subject=single_line(self.send.subject),
            body=text.replace(UNSUBSCRIBE_MARK, own_url),
            from_email=sender(self.newsletter),
            to=[address],
            headers={
                **list_headers(self.newsletter, signup.pk),
                "Message-ID": make_msgid(domain=list_domain()),
            },
        )
        message.attach_alternative(html.replace(UNSUBSCRIBE_MARK, own_url), "text/html")
        return message
