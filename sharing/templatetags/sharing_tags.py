from django import template

from sharing import gifts

register = template.Library()


@register.inclusion_tag("sharing/gift_notice.html", takes_context=True)
def gift_notice(context):
    """On an article page: who gave it, or why the gift link the visitor came with failed."""
    request = context["request"]
    presented = gifts.presented_gift(request)
    return {
        "notice": gifts.notice(presented, context["article"], context["access"]),
        "link": presented.link if presented else None,
        "token": request.GET.get(gifts.QUERY_PARAMETER, ""),
        "publication": context["publication"],
    }
