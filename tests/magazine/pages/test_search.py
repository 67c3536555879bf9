"""Site search through its pages: ranking, snippets, filters, and bad input answered clearly."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from magazine.models import Article
from magazine.pages.search import elided, highlighted
from magazine.pages.search.engines import MARK_END, MARK_START
from tests.factories import make_article, make_publication, make_section

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming is PostgreSQL full-text search"
)


def results(client, url="/search/", **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def titles_in_order(page, *titles):
    positions = [page.index(title) for title in titles]
    return positions == sorted(positions)


def test_header_has_a_search_form_on_every_page(client):
    page = results(client, "/")
    assert '<form role="search"' in page
    assert 'name="q"' in page
    assert 'action="/search/"' in page


def test_title_match_ranks_above_standfirst_match_above_body_match(client):
    make_article(title="Notes on the week", body="We planted quinces by the gate.")
    make_article(title="A quince for every garden", dek="Small trees.")
    make_article(title="Orchard diary", dek="Why quinces deserve a place.")
    page = results(client, q="quince")
    assert titles_in_order(page, "A quince for every garden", "Orchard diary", "Notes on the week")


def test_matches_are_highlighted_in_the_snippet(client):
    make_article(title="Winter", dek="", body="Keep the rhubarb crowns covered with straw.")
    page = results(client, q="rhubarb")
    assert "<mark>rhubarb</mark>" in page
    assert "1 result for “rhubarb”" in page


def test_snippet_escapes_article_text_before_marking_matches(client):
    make_article(dek="Turnips & swedes <img src=x onerror=alert(1)>", body="Plain.")
    page = results(client, q="turnips")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<mark>Turnips</mark> &amp; swedes" in page


def test_query_is_shown_back_escaped(client):
    page = client.get("/search/", {"q": "<b>bold</b>"}).content.decode()
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_a_free_article_is_found_by_words_from_its_whole_text(client):
    make_article(title="Fences", body="Intro.\n\n<!-- more -->\n\nThe mangelwurzel grows slowly.")
    assert "Fences" in results(client, q="mangelwurzel")


def test_unpublished_and_scheduled_articles_are_not_found(client):
    make_article(title="Draft parsnip", status=Article.Status.DRAFT)
    make_article(title="Future parsnip", publish_at=timezone.now() + timedelta(days=1))
    page = results(client, q="parsnip")
    assert "Draft parsnip" not in page
    assert "Future parsnip" not in page
    assert "0 results" in page


def test_results_can_be_narrowed_to_a_publication_and_a_section(client):
    garden = make_section(make_publication(slug="almanac"), slug="garden")
    kitchen = make_section(garden.publication, slug="kitchen")
    make_article(section=garden, title="Garden leeks")
    make_article(section=kitchen, title="Kitchen leeks")
    make_article(title="Elsewhere leeks")
    page = results(client, q="leeks", publication="almanac")
    assert "Garden leeks" in page and "Kitchen leeks" in page
    assert "Elsewhere leeks" not in page
    page = results(client, q="leeks", publication="almanac", section="kitchen")
    assert "Kitchen leeks" in page
    assert "Garden leeks" not in page


def test_publication_search_page_searches_only_that_publication(client):
    section = make_section(make_publication(slug="almanac"), slug="garden")
    make_article(section=section, title="Our kale")
    make_article(title="Their kale")
    page = results(client, "/almanac/search/", q="kale")
    assert "Our kale" in page
    assert "Their kale" not in page
    assert 'name="section"' in page
    assert 'name="publication"' not in page


def test_results_can_be_narrowed_to_a_date_range(client):
    now = timezone.now()
    make_article(title="Old sorrel", publish_at=now - timedelta(days=40))
    make_article(title="New sorrel", publish_at=now - timedelta(days=2))
    since = (now - timedelta(days=10)).date().isoformat()
    page = results(client, q="sorrel", since=since, until=now.date().isoformat())
    assert "New sorrel" in page
    assert "Old sorrel" not in page


def test_results_are_paginated(client, settings):
    settings.MAGAZINE_PAGE_SIZE = 2
    for n in range(5):
        make_article(title=f"Chard {n}", publish_at=timezone.now() - timedelta(hours=n + 1))
    first = results(client, q="chard")
    assert "5 results" in first
    assert "Page 1 of 3" in first
    assert 'href="?q=chard&amp;page=2"' in first
    last = results(client, q="chard", page=3)
    assert "Chard 4" in last
    assert "Chard 0" not in last


@pytest.mark.parametrize("page", ["9999", "0", "-1", "abc"])
def test_a_page_past_the_results_is_a_clear_not_found_page(client, page):
    make_article(title="Beets")
    response = client.get("/search/", {"q": "beets", "page": page})
    assert response.status_code == 404
    assert "Go to the first page of results" in response.content.decode()


def test_empty_query_shows_how_to_search(client):
    page = results(client, q="   ")
    assert "Type a word or two" in page
    assert "results for" not in page


def test_no_results_suggests_what_to_try(client):
    make_article(title="Beans", section=make_section(make_publication(slug="almanac")))
    page = results(client, q="zzyzx", publication="almanac")
    assert "0 results for “zzyzx”" in page
    assert "check the spelling" in page
    assert "search again without the filters" in page


def test_very_long_query_is_refused_with_a_message(client):
    response = client.get("/search/", {"q": "a" * 1000})
    assert response.status_code == 400
    assert "Search for at most 200 characters (this has 1000)." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["'", '"', '"unclosed', "&", "<>", ":*", "a:b", "!!", "(", ")", "-", "- -", "or", "\\",
     "%", "_", "a & | ! b", "naïve café", "🥕", "''; DROP TABLE x; --"],
)  # fmt: skip
def test_odd_characters_give_a_results_page(client, query):
    make_article(title="Carrots")
    assert client.get("/search/", {"q": query}).status_code == 200


def test_a_null_character_is_refused_with_a_message(client):
    response = client.get("/search/", {"q": "beet\x00root"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "yesterday"}, "Enter a date like 2026-03-31."),
        ({"since": "0001-01-01"}, "Enter a date between 1800 and 2999."),
        ({"until": "9999-12-31"}, "Enter a date between 1800 and 2999."),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "on or after the “from” date"),
        ({"publication": "no-such-thing"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_refused_with_a_message_and_keep_the_query(client, params, message):
    response = client.get("/search/", {"q": "leeks", **params})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'value="leeks"' in page


def test_unknown_publication_search_page_is_not_found(client):
    assert client.get("/no-such-publication/search/", {"q": "x"}).status_code == 404


def test_search_pages_are_kept_out_of_search_engines(client):
    response = client.get("/search/", {"q": "anything"})
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_saving_an_article_updates_what_search_finds(client):
    article = make_article(title="Spring onions")
    article.title = "Summer squash"
    article.save()
    assert "Summer squash" in results(client, q="squash")
    assert "0 results" in results(client, q="onions")


def test_update_search_index_command_fills_the_index(client):
    make_article(title="Horseradish", body="Grate it outdoors.")
    Article.objects.update(search_text="", search_vector=None)
    out = StringIO()
    call_command("update_search_index", stdout=out)
    assert "Indexed 1 article(s)." in out.getvalue()
    assert "Horseradish" in results(client, q="outdoors")


@on_postgres
def test_words_are_matched_by_their_stem(client):
    make_article(title="Mending fences", dek="", body="Posts.")
    assert "Mending fences" in results(client, q="fence mended")


def test_highlighting_escapes_the_text_and_pairs_up_the_marks():
    marked = f"a<b {MARK_START}c&d{MARK_END} {MARK_END}e {MARK_START}f"
    assert highlighted(marked) == "a&lt;b <mark>c&amp;d</mark> e <mark>f</mark>"


@pytest.mark.parametrize(
    ("snippet", "shown"),
    [
        ("one two three", "one two three"),
        ("two", "… two …"),
        ("one two", "one two …"),
        (f"two {MARK_START}three{MARK_END}", f"… two {MARK_START}three{MARK_END}"),
    ],
)
def test_a_snippet_shows_where_it_was_cut(snippet, shown):
    assert elided(snippet, "one  two\nthree") == shown
