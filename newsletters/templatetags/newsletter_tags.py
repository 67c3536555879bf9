from django import template

from newsletters.models import Newsletter

register = template.Library()


@register.inclusion_tag("newsletters/signup_box.html")
def newsletter_box(publication):
    """The signup box: an address alone (double opt-in), and a link for readers with an account.
    The same for every visitor, so that pages keep it in their cached fragments."""
    return {
        "publication": publication,
        "newsletters": list(Newsletter.objects.filter(publication=publication)),
    }
