"""Comment text becomes paragraphs and safe links; nothing a reader types can run in a page."""

from html.parser import HTMLParser

import pytest

from comments.rendering import count_links, render_comment
from tests.factories import make_article, make_comment

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie)",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '"><script>alert(1)</script>',
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<img src=\"x\" onerror='alert(1)'",
    "<scr<script>ipt>alert(1)</script>",
    'https://example.com/"onmouseover="alert(1)',
    "<details open ontoggle=alert(1)>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]
SAFE_TAGS = {"p", "br", "a"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def executable_parts(html):
    """What in `html` could run script: unknown elements, event handlers, script URLs."""
    parser = ElementCollector()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.elements:
        if tag not in SAFE_TAGS:
            found.append(f"<{tag}>")
        found += [f"{tag}[{name}]" for name in attrs if name not in {"href", "rel"}]
        href = attrs.get("href")
        if href is not None and not href.strip().lower().startswith(SAFE_SCHEMES):
            found.append(f"href={href}")
    return found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_xss_payload_comes_back_executable(payload):
    html = render_comment(payload)
    assert executable_parts(html) == [], html


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_xss_payload_reaches_the_article_page_executable(client, payload):
    article = make_article()
    make_comment(article, body=f"Before {payload} after")
    html = client.get(article.get_absolute_url()).content.decode()
    text = html.split('<div class="comment-text">')[1].split("</div>")[0]
    assert "Before" in text and "after" in text
    assert executable_parts(text) == [], text


def test_the_checker_catches_what_it_looks_for():
    assert executable_parts('<img src=x onerror="alert(1)">') == [
        "<img>",
        "img[src]",
        "img[onerror]",
    ]
    assert executable_parts('<a href="javascript:alert(1)">x</a>') == ["href=javascript:alert(1)"]


def test_blank_lines_make_paragraphs_and_single_newlines_breaks():
    html = render_comment("First line\nsame paragraph\n\nSecond paragraph")
    assert html == "<p>First line<br>same paragraph</p><p>Second paragraph</p>"


def test_web_addresses_become_links_that_pass_no_reputation():
    html = render_comment("See https://example.com/page?a=1&b=2 now")
    assert (
        '<a href="https://example.com/page?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "https://example.com/page?a=1&amp;b=2</a>"
    ) in html


def test_markup_is_shown_as_text():
    assert (
        render_comment("I <3 <b>bold</b> & co") == "<p>I &lt;3 &lt;b&gt;bold&lt;/b&gt; &amp; co</p>"
    )


def test_links_are_counted_as_they_render():
    assert count_links("no links here") == 0
    assert count_links("one: https://a.example") == 1
    assert count_links("https://a.example and www.b.example.com") == 2
