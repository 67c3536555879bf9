"""Writers' Markdown: the magazine's callouts, and bounded work whatever a writer types."""

import time

import pytest
from django.core.exceptions import ValidationError

from magazine.markup import render_markdown
from magazine.models import MAX_BODY_LENGTH
from tests.factories import make_article

# Inputs that made the previous Markdown library take seconds to minutes: every one of them is a
# shape a writer can paste by accident (a table of brackets, a page of quotes, mangled HTML).
PATHOLOGICAL = {
    "nested brackets": ("[", "]"),
    "open brackets": ("[",),
    "links without an end": ("[a](",),
    "images without an end": ("![",),
    "empty links": ("[]( ",),
    "angle brackets": ("<",),
    "unclosed tags": ("<a ",),
    "bold tags": ("<b>",),
    "HTML comments": ("<!--",),
    "autolinks": ("<http://",),
    "double quotes": ('"',),
    "apostrophes": ("'",),
    "code spans": ("`a",),
    "emphasis": ("*_", "_*"),
    "references": ("[a]: ",),
    "bracket lines": ("[a\n",),
    "block quotes": ("> ",),
    "block quotes without spaces": (">",),
    "block quotes after carriage returns": ("\r> ",),
    "lists in quotes": ("> - ",),
    "numbered lists": ("1. ",),
    "table cells": ("|a",),
    "everything": ("[*_<`'\"",),
}


def body_of(unit, size=MAX_BODY_LENGTH):
    if len(unit) == 2:
        half = size // (2 * len(unit[0]))
        return unit[0] * half + "a" + unit[1] * half
    return unit[0] * (size // len(unit[0]))


@pytest.mark.parametrize("unit", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_the_longest_body_renders_in_under_a_second_whatever_it_holds(unit):
    source = body_of(unit)
    started = time.process_time()
    render_markdown(source)
    assert time.process_time() - started < 1.0


def test_a_body_longer_than_the_limit_is_refused_with_a_clear_error(db):
    article = make_article()
    article.body = "word " * (MAX_BODY_LENGTH // 5 + 1)
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert "body" in refused.value.message_dict


def test_a_callout_keeps_its_blank_lines_and_ends_where_the_indent_does():
    html = render_markdown(
        '!!! sidebar "Two paragraphs"\n    First.\n\n    Second.\n\nAfter the sidebar.'
    )
    sidebar, after = html.split("</aside>")
    assert "<p>First.</p>" in sidebar and "<p>Second.</p>" in sidebar
    assert "<p>After the sidebar.</p>" in after


def test_any_other_callout_is_a_sidebar_titled_by_its_kind():
    html = render_markdown("!!! note\n    Remember the gate.")
    assert '<aside class="sidebar" aria-label="Note"><h2 class="sidebar-title">Note</h2>' in html


def test_a_callout_title_is_text_not_markup():
    html = render_markdown('!!! sidebar "<script>x</script> & more"\n    Body.')
    assert "<script" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; more" in html


def test_tables_and_typographic_punctuation_render():
    html = render_markdown('| a | b |\n|---|---|\n| 1 | 2 |\n\nDon\'t "fence" -- me --- in...')
    assert "<td>1</td>" in html
    assert "Don’t “fence” – me — in…" in html


def test_raw_html_in_a_body_is_left_out():
    html = render_markdown('Use <b>bold</b> and <div class="x">a div</div>.')
    assert "<b>" not in html and "<div" not in html
    assert "bold" in html


@pytest.mark.parametrize(
    "source",
    [
        "> " * 100 + "deep",
        ">" * 100 + "deep",
        "- a\n    " + "> " * 100 + "deep",
        "- " * 100 + "deep",
    ],
    ids=["quotes", "quotes without spaces", "quotes in a list", "lists"],
)
def test_nesting_goes_only_so_deep_and_the_text_is_kept(source):
    html = render_markdown(source)
    assert html.count("<blockquote>") + html.count("<ul>") <= 32
    assert html.count("<blockquote>") == html.count("</blockquote>")
    assert "deep" in html


def test_a_callout_line_inside_a_code_block_is_code():
    html = render_markdown("```\n!!! note\n    not a callout\n```\n\nAfter.")
    assert "<aside" not in html
    assert "!!! note" in html and "<p>After.</p>" in html
