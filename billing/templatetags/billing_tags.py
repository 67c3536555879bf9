"""The billing section of "My account", drawn where the account page places it; the price of
an issue's edition on its own, where the issue's page offers it."""

from django import template
from django.utils import timezone

from billing import account, single_issues

register = template.Library()


@register.inclusion_tag("billing/account_section.html", takes_context=True)
def billing_section(context):
    request = context["request"]
    return {"request": request, "user": request.user, **account.section(request.user)}


@register.simple_tag
def single_issue_price(issue):
    """What `issue`'s edition costs on its own (None: not sold so)."""
    return single_issues.price_for(issue, now=timezone.now())
