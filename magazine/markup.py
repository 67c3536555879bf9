"""Writers' Markdown to HTML that is safe to put in a page as it is.

CommonMark with GitHub's tables and typographic quotes and dashes, rendered by cmark-gfm: C, and
linear in the length of its input whatever that input holds, so no body a writer can type or
paste makes a save or a page take more than a moment. (Python-Markdown, before it, took minutes
over a few thousand nested brackets.) Raw HTML in the Markdown is left out, and nesting is
bounded (see `bounded_depth`); then nh3 keeps only a short list of tags and attributes.

Two callouts of the magazine's own, in the admonition syntax writers know:

    !!! pullquote
        The best fence is the one you walk every morning.

    !!! sidebar "What you can do"
        - Test your soil before you buy amendments.

become `<figure class="pullquote">` and `<aside class="sidebar">` (any other kind a sidebar too).
"""

import re
from dataclasses import dataclass

import nh3
from cmarkgfm import cmark
from django.utils.html import escape

ALLOWED_TAGS = {
    "a", "aside", "blockquote", "br", "code", "em", "figure", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "aside": {"aria-label"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_CLASSES = {"aside": {"sidebar"}, "figure": {"pullquote"}, "h2": {"sidebar-title"}}
# cmark's safe mode: raw HTML and unsafe link schemes are left out before nh3 even looks.
OPTIONS = cmark.Options.CMARK_OPT_SMART
# The sanitizer's HTML parser takes time that grows with the square of how deeply elements
# nest, and Markdown nests block quotes and lists as deep as a writer's markers go: elements
# deeper than this are left out (their text stays).
MAX_DEPTH = 32
TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)\b[^>]*>")
VOID = {"br", "hr", "img", "input"}
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")

CALLOUT = re.compile(r'!!![ \t]+(?P<kind>[\w-]+)(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*')
INDENT = re.compile(r"( {4}|\t)")


@dataclass(frozen=True)
class Part:
    text: str
    kind: str | None = None  # a callout's kind; None for plain Markdown
    title: str | None = None


def render_markdown(source):
    """Staff Markdown to HTML that is safe to put in a page as it is."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n")
    html = bounded_depth("".join(render_part(part) for part in parts(lines)))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
    )


def commonmark(text):
    return cmark.markdown_to_html_with_extensions(text, options=OPTIONS, extensions=["table"])


def bounded_depth(html):
    """`html` (well formed: cmark's, without raw HTML) with the elements nested deeper than
    MAX_DEPTH left out, their text kept. One pass."""
    kept, stack, depth, start = [], [], 0, 0
    for tag in TAG.finditer(html):
        closing, name = tag.group(1), tag.group(2)
        if name in VOID:
            continue
        if closing:
            keep = stack.pop() if stack else True
            depth -= keep
        else:
            keep = depth < MAX_DEPTH
            stack.append(keep)
            depth += keep
        if not keep:
            kept.append(html[start : tag.start()])
            start = tag.end()
    kept.append(html[start:])
    return "".join(kept)


def render_part(part):
    body = commonmark(part.text)
    if part.kind is None:
        return body
    if part.kind == "pullquote":
        return f'<figure class="pullquote"><blockquote>{body}</blockquote></figure>\n'
    title = part.kind.capitalize() if part.title is None else part.title
    if not title:
        return f'<aside class="sidebar">{body}</aside>\n'
    return (
        f'<aside class="sidebar" aria-label="{escape(title)}">'
        f'<h2 class="sidebar-title">{escape(title)}</h2>{body}</aside>\n'
    )


def parts(source):
    """`source` as plain Markdown and callouts, in order: a callout is its `!!!` line and the
    indented lines after it (blank lines between them included), unindented; a `!!!` line in
    a fenced code block is code. One pass."""
    lines = source.split("\n")
    plain, index, fence = [], 0, None
    while index < len(lines):
        fence = fenced(lines[index], fence)
        opening = None if fence else CALLOUT.fullmatch(lines[index])
        if opening is None:
            plain.append(lines[index])
            index += 1
            continue
        if plain:
            yield Part("\n".join(plain))
            plain = []
        body, index = indented_block(lines, index + 1)
        yield Part("\n".join(body), opening["kind"].lower(), opening["title"])
    if plain:
        yield Part("\n".join(plain))


def indented_block(lines, start):
    """(the unindented lines of the block starting at `start`, the index after it)."""
    end = start
    while end < len(lines) and (INDENT.match(lines[end]) or not lines[end].strip()):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1  # blank lines after the block are not part of it
    return [INDENT.sub("", line, count=1) for line in lines[start:end]], end


def fenced(line, fence):
    """The fence open after `line` (its backticks or tildes), given the one open before it."""
    match = FENCE.match(line)
    if match is None:
        return fence
    marks = match.group(1)
    if fence is None:
        return marks
    return None if marks[0] == fence[0] and len(marks) >= len(fence) else fence
