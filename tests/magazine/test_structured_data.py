import json
import re

import pytest

from magazine.models import Article
from tests.factories import make_article, make_author

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
