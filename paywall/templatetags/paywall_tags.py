from django import template

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
