"""Comment bodies: the reader's plain text to safe HTML, with paragraphs and clickable links.

The text is stored as typed and rendered on display, so a change here applies to every comment.
"""

import re

import nh3
from django.utils.html import urlize
from django.utils.safestring import mark_safe

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
URL_DISPLAY_LIMIT = 60
LINK_REL = "nofollow ugc noopener"


def render_comment(text):
    """`text` as paragraphs of escaped text, its web addresses as links, sanitized."""
    text = text.replace("\r\n", "\n").strip()
    paragraphs = [p.strip() for p in PARAGRAPH_BREAK.split(text) if p.strip()]
    html = "".join(
        "<p>{}</p>".format(
            urlize(p, trim_url_limit=URL_DISPLAY_LIMIT, autoescape=True).replace("\n", "<br>")
        )
        for p in paragraphs
    )
    cleaned = nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        link_rel=LINK_REL,
        url_schemes={"http", "https", "mailto"},
    )
    return mark_safe(cleaned)  # sanitized by nh3 just above


def count_links(text):
    """How many links `text` would show as: the same finder that renders them counts them."""
    return render_comment(text).count("<a ")
