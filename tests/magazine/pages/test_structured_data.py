import json
import re

import pytest

from magazine.models import Article
from tests.factories import make_article, make_author, make_publication

pytestmark = pytest.mark.django_db


def json_ld(page):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_free_article_is_marked_accessible_for_free(client):
    article = make_article(authors=[make_author(name="Ada Hayward")])
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["author"][0]["name"] == "Ada Hayward"
    assert data["publisher"]["name"] == article.publication.name
    assert data["isAccessibleForFree"] is True
    assert "hasPart" not in data
    assert data["datePublished"].startswith(str(article.publish_at.date()))


def test_subscribers_article_marks_its_paywalled_part(client):
    article = make_article(access=Article.Access.SUBSCRIBERS)
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".paywalled-content",
    }


def test_script_end_tag_in_a_title_cannot_break_out(client):
    article = make_article(title="</script><script>alert(1)</script>")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert json_ld(page)["headline"] == article.title


def all_json_ld(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return {data["@type"]: data for data in map(json.loads, blocks)}


def test_article_page_has_breadcrumbs_from_the_front_page_down(client):
    article = make_article(title="Hot Compost")
    page = client.get(article.get_absolute_url()).content.decode()
    trail = all_json_ld(page)["BreadcrumbList"]["itemListElement"]
    assert [(item["position"], item["name"]) for item in trail] == [
        (1, "The Magazine Rack"),
        (2, article.publication.name),
        (3, article.section.name),
        (4, "Hot Compost"),
    ]
    assert trail[0]["item"] == "https://magazine.example/"
    assert trail[3]["item"] == f"https://magazine.example{article.get_absolute_url()}"


def test_article_markup_names_its_section_and_describes_it_without_hidden_text(client):
    article = make_article(access=Article.Access.SUBSCRIBERS, dek="", seo_description="")
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert data["articleSection"] == article.section.name
    assert data["description"].startswith("The open paragraph everyone may read.")
    assert "SECRET" not in data["description"]


def test_publication_page_describes_the_periodical_and_its_publisher(client):
    publication = make_publication(name="The Almanac", tagline="Seasons and soil.")
    page = client.get(publication.get_absolute_url()).content.decode()
    data = all_json_ld(page)["Periodical"]
    assert data["name"] == "The Almanac"
    assert data["description"] == "Seasons and soil."
    assert data["url"] == f"https://magazine.example{publication.get_absolute_url()}"
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "The Magazine Rack",
        "url": "https://magazine.example/",
    }
