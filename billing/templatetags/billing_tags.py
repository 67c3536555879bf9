"""The billing section of "My account", drawn where the account page places it."""

from django import template

from billing import account

register = template.Library()


@register.inclusion_tag("billing/account_section.html", takes_context=True)
def billing_section(context):
    request = context["request"]
    return {"request": request, "user": request.user, **account.section(request.user)}
