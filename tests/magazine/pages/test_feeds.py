"""Public RSS and Atom feeds, read the way a feed reader reads them: parsed with feedparser."""

import calendar
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.utils import timezone

from magazine.models import Article
from tests.factories import (
    HIDDEN,
    make_article,
    make_author,
    make_publication,
    make_section,
    make_tag,
)

pytestmark = pytest.mark.django_db

FORMATS = ["rss", "atom"]
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@pytest.fixture
def almanac():
    section = make_section(make_publication(slug="almanac", name="The Almanac"), slug="garden")
    make_article(
        section=section,
        slug="fish",
        title="Fish & <Chips>",
        dek="Frying at home, safely.",
        authors=[make_author(name="Ada Hayward"), make_author(name="Bo Lind")],
        tags=[make_tag(name="cooking")],
        publish_at=timezone.now() - timedelta(hours=2),
    )
    for access in (Article.Access.REGISTERED, Article.Access.SUBSCRIBERS):
        make_article(section=section, slug=f"gated-{access}", access=access)
    return section


def read(client, url, fmt):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(CONTENT_TYPES[fmt])
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def entry(parsed, slug):
    return next(e for e in parsed.entries if e.link.endswith(f"/{slug}/"))


def feed_urls():
    return {
        "site": "/feeds/{fmt}/",
        "publication": "/almanac/feeds/{fmt}/",
        "section": "/almanac/sections/garden/feeds/{fmt}/",
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scope", feed_urls())
def test_every_feed_is_valid_and_describes_its_articles(client, almanac, fmt, scope):
    parsed = read(client, feed_urls()[scope].format(fmt=fmt), fmt)
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[fmt]
    assert parsed.feed.title
    assert parsed.feed.link.startswith("https://magazine.example/")
    assert len(parsed.entries) == 3
    fish = entry(parsed, "fish")
    assert fish.title == "Fish & <Chips>"
    assert fish.link == "https://magazine.example/almanac/fish/"
    assert fish.summary == "Frying at home, safely."
    assert fish.author == "Ada Hayward, Bo Lind"
    assert [tag.term for tag in fish.tags] == [almanac.name, "cooking"]
    published = datetime.fromtimestamp(calendar.timegm(fish.published_parsed), tz=UTC)
    assert abs(published - Article.objects.get(slug="fish").publish_at) < timedelta(seconds=1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_feed_carries_whole_free_articles_and_only_the_teaser_of_the_rest(client, almanac, fmt):
    parsed = read(client, f"/almanac/feeds/{fmt}/", fmt)
    free = entry(parsed, "fish").content[0].value
    assert "open paragraph everyone may read" in free
    assert HIDDEN in free
    for access, read_on in [
        ("registered", "Log in or create a free account to read the rest"),
        ("subscribers", "The rest of this article is for subscribers."),
    ]:
        content = entry(parsed, f"gated-{access}").content[0].value
        assert "open paragraph everyone may read" in content
        assert HIDDEN not in content
        assert read_on in content
        assert 'href="https://magazine.example/almanac/gated-' in content


def test_newest_articles_come_first_and_their_number_is_limited(client, settings):
    settings.MAGAZINE_FEED_ITEMS = 2
    section = make_section(make_publication(slug="almanac"))
    for n in range(3):
        make_article(section=section, title=f"Story {n}", publish_at=timezone.now() - timedelta(n))
    parsed = read(client, "/almanac/feeds/rss/", "rss")
    assert [e.title for e in parsed.entries] == ["Story 0", "Story 1"]


def test_feeds_leave_out_unpublished_scheduled_and_other_publications_articles(client, almanac):
    make_article(section=almanac, title="Draft", status=Article.Status.DRAFT)
    make_article(section=almanac, title="Tomorrow", publish_at=timezone.now() + timedelta(days=1))
    make_article(title="Elsewhere")
    make_article(section=make_section(almanac.publication), title="Other section")
    section_titles = {
        e.title for e in read(client, "/almanac/sections/garden/feeds/rss/", "rss").entries
    }
    publication_titles = {e.title for e in read(client, "/almanac/feeds/rss/", "rss").entries}
    site_titles = {e.title for e in read(client, "/feeds/rss/", "rss").entries}
    assert not {"Draft", "Tomorrow"} & (section_titles | publication_titles | site_titles)
    assert "Other section" not in section_titles
    assert "Other section" in publication_titles
    assert "Elsewhere" not in publication_titles
    assert "Elsewhere" in site_titles


@pytest.mark.parametrize(
    "url", ["/nowhere/feeds/rss/", "/almanac/sections/nowhere/feeds/atom/", "/feeds/json/"]
)
def test_unknown_feeds_are_not_found(client, almanac, url):
    assert client.get(url).status_code == 404


def test_an_empty_feed_is_still_valid(client):
    make_publication(slug="almanac")
    assert read(client, "/almanac/feeds/atom/", "atom").entries == []


def test_public_feeds_may_be_cached_by_anyone(client, almanac):
    response = client.get("/almanac/feeds/rss/")
    assert "private" not in response.get("Cache-Control", "")


def test_pages_advertise_their_feeds(client, almanac):
    section_page = client.get("/almanac/sections/garden/").content.decode()
    for href in [
        "/almanac/sections/garden/feeds/rss/",
        "/almanac/sections/garden/feeds/atom/",
        "/almanac/feeds/rss/",
        "/feeds/atom/",
    ]:
        assert f'href="{href}"' in section_page
    assert 'type="application/rss+xml" title="The Almanac (RSS)"' in section_page
    front = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in front
    assert "/almanac/feeds/" not in front
