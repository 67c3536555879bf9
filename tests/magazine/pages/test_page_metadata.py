"""What every page tells search engines and link previews: title, description, canonical
address, Open Graph and Twitter tags — and never text from behind the paywall."""

import re
from html import unescape

import pytest
from django.utils import timezone

from magazine.models import Article
from tests.factories import (
    HIDDEN,
    make_article,
    make_author,
    make_issue,
    make_publication,
    make_section,
    make_tag,
    make_user,
)

pytestmark = pytest.mark.django_db

SITE = "https://magazine.example"


def meta(page, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', page)
    return unescape(match.group(1)) if match else None


def canonical(page):
    return re.search(r'<link rel="canonical" href="([^"]*)"', page).group(1)


@pytest.fixture
def almanac():
    publication = make_publication(slug="almanac", name="The Almanac", tagline="Seasons.")
    section = make_section(publication, slug="garden", name="Garden")
    issue = make_issue(publication, volume=3, number=1)
    make_article(
        section=section,
        slug="compost",
        title="Hot Compost",
        issue=issue,
        authors=[make_author(slug="ada")],
        tags=[make_tag(slug="soil")],
    )
    return publication


PAGES = {
    "front page": "/",
    "publication": "/almanac/",
    "section": "/almanac/sections/garden/",
    "tag": "/almanac/tags/soil/",
    "author": "/almanac/authors/ada/",
    "issue archive": "/almanac/issues/",
    "issue": "/almanac/issues/3-1/",
    "article": "/almanac/compost/",
    "search": "/search/",
    "log in": "/accounts/login/",
}


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_every_page_has_title_description_canonical_and_link_preview_tags(client, almanac, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"<title>[^<]+</title>", page)
    assert meta(page, "name", "description")
    assert canonical(page) == f"{SITE}{url}"
    assert meta(page, "property", "og:url") == f"{SITE}{url}"
    for tag in ["og:type", "og:title", "og:description", "og:site_name"]:
        assert meta(page, "property", tag), tag
    for tag in ["twitter:card", "twitter:title", "twitter:description"]:
        assert meta(page, "name", tag), tag


def test_the_account_page_has_them_too(client):
    client.force_login(make_user())
    page = client.get("/accounts/").content.decode()
    assert canonical(page) == f"{SITE}/accounts/"
    assert meta(page, "property", "og:title")


def test_later_pages_of_a_list_are_their_own_canonical_page(client, almanac, settings):
    settings.MAGAZINE_PAGE_SIZE = 1
    make_article(section=almanac.sections.get(), publish_at=timezone.now())
    page = client.get("/almanac/", {"page": 2}).content.decode()
    assert canonical(page) == f"{SITE}/almanac/?page=2"


def test_article_preview_tags_describe_the_article(client, almanac):
    page = client.get("/almanac/compost/").content.decode()
    assert meta(page, "property", "og:type") == "article"
    assert meta(page, "property", "og:title") == "Hot Compost"
    assert meta(page, "property", "og:site_name") == "The Almanac"
    assert meta(page, "property", "article:section") == "Garden"
    assert meta(page, "property", "article:tag")


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"seo_description": "For search engines.", "dek": "The dek."}, "For search engines."),
        ({"seo_description": "", "dek": "The dek."}, "The dek."),
        ({"seo_description": "", "dek": ""}, "The open paragraph everyone may read."),
    ],
)
def test_description_comes_from_the_seo_field_else_the_dek_else_the_teaser(
    client, fields, description
):
    article = make_article(access=Article.Access.SUBSCRIBERS, **fields)
    page = client.get(article.get_absolute_url()).content.decode()
    for found in [
        meta(page, "name", "description"),
        meta(page, "property", "og:description"),
        meta(page, "name", "twitter:description"),
    ]:
        assert found.startswith(description)
        assert HIDDEN not in found
        assert "SECRET" not in found


def test_publication_page_is_described_by_its_tagline(client, almanac):
    page = client.get("/almanac/").content.decode()
    assert meta(page, "name", "description") == "Seasons."
    assert meta(page, "property", "og:title") == "The Almanac"
