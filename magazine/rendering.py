"""Article bodies: staff Markdown to sanitized HTML, split into the free teaser and the rest.

The split happens on the Markdown source, before rendering, so the part a reader may not read is
a separate string that a template can leave out entirely — never HTML hidden with CSS.
"""

import re
from dataclasses import dataclass
from html import unescape

from django.conf import settings
from django.core.cache import cache
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from magazine.markup import render_markdown

MORE_MARKER = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE | re.IGNORECASE)
BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n")
RENDER_VERSION = 2  # bump when the pipeline's output changes, to retire cached HTML


def split_teaser(source, paragraphs=None):
    """Split Markdown into (teaser, rest) at the editor's break, else after the first paragraphs.

    Without a break, the rest is never empty when there is more than one block, so a
    subscribers-only article never shows its whole text as a teaser.
    """
    source = source.replace("\r\n", "\n")
    parts = MORE_MARKER.split(source, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(), parts[1].strip()
    if paragraphs is None:
        paragraphs = settings.MAGAZINE_TEASER_PARAGRAPHS
    blocks = [b for b in BLOCK_SEPARATOR.split(source.strip()) if b.strip()]
    cut = max(1, min(paragraphs, len(blocks) - 1))
    return "\n\n".join(blocks[:cut]), "\n\n".join(blocks[cut:])


def plain_text(html_text):
    """Rendered HTML as the text a reader sees: tags dropped, entities such as &amp; decoded."""
    return unescape(strip_tags(html_text)).strip()


@dataclass(frozen=True)
class ArticleBody:
    """An article's body as HTML, in the two parts the paywall chooses between."""

    teaser_html: str
    rest_html: str

    @property
    def teaser(self):
        return mark_safe(self.teaser_html)  # sanitized by render_markdown

    @property
    def rest(self):
        return mark_safe(self.rest_html)  # sanitized by render_markdown

    @property
    def teaser_text(self):
        return plain_text(self.teaser_html)

    @property
    def rest_text(self):
        return plain_text(self.rest_html)


def render_body(article, *, whole=True):
    """The article's body rendered now (uncached); `whole=False` renders the teaser alone."""
    teaser, rest = split_teaser(article.body)
    rest_html = render_markdown(rest) if rest and whole else ""
    return ArticleBody(render_markdown(teaser), rest_html)


def article_body(article):
    """The article's rendered body, cached per version of the article."""
    stamp = article.updated_at.timestamp() if article.updated_at else 0
    key = f"article-body:{RENDER_VERSION}:{article.pk}:{stamp}"
    parts = cache.get(key)
    if parts is None:
        body = render_body(article)
        parts = (body.teaser_html, body.rest_html)
        cache.set(key, parts, timeout=60 * 60 * 24)
    return ArticleBody(*parts)
