from django import template

from comments.rendering import render_comment

register = template.Library()


@register.filter
def comment_html(text):
    """A comment's plain text as safe HTML (see comments.rendering)."""
    return render_comment(text)
