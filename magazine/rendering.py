"""Article bodies: staff Markdown to sanitized HTML, split into the free teaser and the rest.

The split happens on the Markdown source, before rendering, so the part a reader may not read is
a separate string that a template can leave out entirely — never HTML hidden with CSS.
"""

import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import unescape

import markdown
import nh3
from django.conf import settings
from django.core.cache import cache
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from markdown.treeprocessors import Treeprocessor

MORE_MARKER = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE | re.IGNORECASE)
BLOCK_SEPARATOR = re.compile(r"\n[ \t]*\n")
RENDER_VERSION = 1  # bump when the pipeline's output changes, to retire cached HTML

ALLOWED_TAGS = {
    "a", "abbr", "aside", "blockquote", "br", "code", "dd", "dl", "dt", "em", "figure", "h2",
    "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "aside": {"aria-label"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_CLASSES = {"aside": {"sidebar"}, "figure": {"pullquote"}, "h2": {"sidebar-title"}}


class CalloutProcessor(Treeprocessor):
    """Turns `!!! pullquote` and `!!! sidebar "Title"` admonitions into figure and aside."""

    def run(self, root):
        for element in root.iter("div"):
            classes = element.get("class", "").split()
            if "admonition" not in classes:
                continue
            title = next((c for c in element if c.get("class") == "admonition-title"), None)
            if "pullquote" in classes:
                self._make_pullquote(element, title)
            else:
                self._make_sidebar(element, title)

    def _make_pullquote(self, element, title):
        if title is not None:
            element.remove(title)
        quote = ET.Element("blockquote")
        quote.extend(list(element))
        for child in list(element):
            element.remove(child)
        element.append(quote)
        element.tag = "figure"
        element.attrib = {"class": "pullquote"}

    def _make_sidebar(self, element, title):
        element.tag = "aside"
        element.attrib = {"class": "sidebar"}
        if title is not None:
            title.tag = "h2"
            title.attrib = {"class": "sidebar-title"}
            element.set("aria-label", "".join(title.itertext()))


class CalloutExtension(markdown.Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(CalloutProcessor(md), "callouts", 5)


_converters = threading.local()


def converter():
    """This thread's Markdown converter: building one loads every extension, so it is reused."""
    if not hasattr(_converters, "markdown"):
        _converters.markdown = markdown.Markdown(
            extensions=["admonition", "tables", "sane_lists", "smarty", CalloutExtension()],
            output_format="html",
        )
    return _converters.markdown.reset()


def render_markdown(source):
    """Staff Markdown to HTML that is safe to put in a page as is."""
    html = converter().convert(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
    )


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
