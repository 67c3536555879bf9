from urllib.parse import urlencode

from django import template
from django.urls import reverse

from paywall import gifts

register = template.Library()


@register.inclusion_tag("paywall/gift_notice.html", takes_context=True)
def gift_notice(context):
    """On an article page: who gave it, or why the gift link the visitor came with failed."""
    request = context["request"]
    presented = gifts.presented_gift(request)
    notice = gifts.notice(presented, context["article"], context["access"])
    return {
        "notice": notice,
        "link": presented.link if presented else None,
        "other_article_url": gifts.url_for(presented.link) if notice == "other_article" else "",
        "publication": context["publication"],
    }


@register.simple_tag
def subscribe_href(publication, article=None):
    """Where "Subscribe" leads: the publication's subscribe page on this site (coming back to
    `article` after paying), or the address it sells from elsewhere, if it has one."""
    if publication.subscribe_url:
        return publication.subscribe_url
    path = reverse("subscribe", kwargs={"publication": publication.slug})
    return f"{path}?{urlencode({'next': article.get_absolute_url()})}" if article else path


@register.filter
def without_the(name):
    """ "The Backyard Flock" as it reads after another word: "free Backyard Flock articles"."""
    return name[4:] if name.startswith("The ") else name
