"""What crawlers are given: sitemaps of every live page, and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from magazine.models import Article
from magazine.pages.sitemaps import SiteSitemap
from tests.factories import (
    make_article,
    make_author,
    make_issue,
    make_publication,
    make_section,
)

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "https://magazine.example"


def entries(client, url):
    """{location: lastmod} of a sitemap, or of a sitemap index."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    return {
        node.findtext("s:loc", namespaces=NS): node.findtext("s:lastmod", namespaces=NS)
        for node in root
    }


@pytest.fixture
def almanac():
    publication = make_publication(slug="almanac")
    section = make_section(publication, slug="garden")
    make_issue(publication, volume=3, number=1)
    make_article(section=section, slug="live", authors=[make_author(slug="ada")])
    make_article(section=section, slug="gated", access=Article.Access.SUBSCRIBERS)
    make_article(section=section, slug="draft", status=Article.Status.DRAFT)
    make_article(section=section, slug="soon", publish_at=timezone.now() + timedelta(days=1))
    return publication


def test_sitemap_lists_every_live_page_with_its_last_change(client, almanac):
    urls = entries(client, "/sitemap.xml")
    today = timezone.now().date().isoformat()
    assert urls[f"{SITE}/almanac/live/"] == today
    assert urls[f"{SITE}/almanac/gated/"] == today
    for page in ["/", "/almanac/", "/almanac/sections/garden/", "/almanac/issues/3-1/",
                 "/almanac/authors/ada/"]:  # fmt: skip
        assert f"{SITE}{page}" in urls, page


def test_sitemap_leaves_out_unpublished_and_scheduled_articles(client, almanac):
    urls = entries(client, "/sitemap.xml")
    assert f"{SITE}/almanac/draft/" not in urls
    assert f"{SITE}/almanac/soon/" not in urls
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert f"{SITE}/almanac/soon/" in entries(client, "/sitemap.xml")


def test_an_author_is_listed_only_where_they_have_live_articles(client, almanac):
    make_article(authors=[make_author(slug="ghost")], status=Article.Status.DRAFT)
    assert not [url for url in entries(client, "/sitemap.xml") if "/authors/ghost/" in url]


def test_a_large_site_gets_an_index_of_sitemaps_by_publication(client, almanac, monkeypatch):
    monkeypatch.setattr(SiteSitemap, "limit", 3)
    index = entries(client, "/sitemap.xml")
    assert set(index) == {
        f"{SITE}/sitemap-pages.xml",
        f"{SITE}/sitemap-pages.xml?p=2",
        f"{SITE}/sitemap-articles-almanac.xml",
    }
    assert index[f"{SITE}/sitemap-articles-almanac.xml"].startswith(
        timezone.now().date().isoformat()
    )
    articles = entries(client, "/sitemap-articles-almanac.xml")
    assert set(articles) == {f"{SITE}/almanac/live/", f"{SITE}/almanac/gated/"}
    pages = {**entries(client, "/sitemap-pages.xml"), **entries(client, "/sitemap-pages.xml?p=2")}
    assert f"{SITE}/almanac/authors/ada/" in pages


@pytest.mark.parametrize("url", ["/sitemap-articles-nowhere.xml", "/sitemap-pages.xml?p=9"])
def test_unknown_sitemaps_are_not_found(client, almanac, url):
    assert client.get(url).status_code == 404


def test_sitemaps_use_the_sites_own_address_whatever_the_host(client, almanac, settings):
    settings.ALLOWED_HOSTS = ["other.example"]
    response = client.get("/sitemap.xml", HTTP_HOST="other.example")
    page = response.content.decode()
    assert f"<loc>{SITE}/almanac/live/</loc>" in page
    assert "other.example" not in page


def test_robots_txt_points_at_the_sitemap_and_keeps_private_pages_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ["/admin/", "/accounts/", "/preview/", "/search/", "/*/search/",
                 "/feeds/private/"]:  # fmt: skip
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
