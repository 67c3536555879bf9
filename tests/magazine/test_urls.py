"""The article pattern is tried first, yet never hides the site's other pages."""

import pytest
from django.urls import Resolver404, resolve

from magazine.models import RESERVED_ARTICLE_SLUGS


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/almanac/goats-in-winter/", "article"),
        ("/almanac/", "publication"),
        ("/almanac/search/", "publication_search"),
        ("/almanac/issues/", "issue_archive"),
        ("/almanac/goats-in-winter/share/", "share_article"),
        ("/search/", "search"),
        ("/preview/3/", "article_preview"),
        ("/", "front"),
    ],
)
def test_each_path_reaches_its_page(path, name):
    assert resolve(path).url_name == name


@pytest.mark.parametrize("slug", sorted(RESERVED_ARTICLE_SLUGS))
def test_no_reserved_word_is_taken_for_an_article(slug):
    try:
        match = resolve(f"/almanac/{slug}/")
    except Resolver404:
        return  # no page there at all
    assert match.url_name != "article"


def test_the_admin_is_not_taken_for_a_publication():
    assert resolve("/admin/").app_name == "admin"
