from magazine.markup import render_markdown
from magazine.rendering import article_body, split_teaser
from tests.factories import HIDDEN, make_article


def test_teaser_ends_at_the_editors_break():
    teaser, rest = split_teaser("One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n\nFour.")
    assert teaser == "One.\n\nTwo."
    assert rest == "Three.\n\nFour."


def test_without_a_break_the_teaser_is_the_first_paragraphs():
    teaser, rest = split_teaser("One.\n\nTwo.\n\nThree.\n\nFour.", paragraphs=2)
    assert teaser == "One.\n\nTwo."
    assert rest == "Three.\n\nFour."


def test_a_short_article_without_a_break_still_keeps_something_back():
    teaser, rest = split_teaser("One.\n\nTwo.", paragraphs=3)
    assert teaser == "One."
    assert rest == "Two."


def test_pull_quote_becomes_a_figure():
    html = render_markdown("!!! pullquote\n    Walk the fence every morning.")
    assert '<figure class="pullquote"><blockquote>' in html.replace("\n", "")
    assert "Walk the fence every morning." in html
    assert "Pullquote" not in html


def test_sidebar_keeps_its_title_as_a_heading():
    html = render_markdown('!!! sidebar "What you can do"\n    - Test the soil\n    - Keep notes')
    assert 'class="sidebar"' in html
    assert 'aria-label="What you can do"' in html
    assert '<h2 class="sidebar-title">What you can do</h2>' in html
    assert "<li>Test the soil</li>" in html


def test_headings_lists_and_block_quotes_render():
    html = render_markdown("## Heading\n\n- a\n- b\n\n> quoted")
    assert "<h2>Heading</h2>" in html
    assert "<ul>" in html
    assert "<blockquote>" in html


def test_raw_html_and_script_urls_in_the_body_are_neutralised():
    html = render_markdown(
        "<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(1)">'
    )
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_article_body_keeps_hidden_part_out_of_the_teaser(db):
    body = article_body(make_article())
    assert HIDDEN not in body.teaser_html
    assert HIDDEN in body.rest_html
    assert "open paragraph everyone may read" in body.teaser_text


def test_teaser_text_is_plain_text_with_characters_not_entities(db):
    article = make_article(body='Don\'t "fence" me in -- 3 < 4 & <em>so</em> on.\n\nMore.')
    assert article_body(article).teaser_text == "Don’t “fence” me in – 3 < 4 & so on."
