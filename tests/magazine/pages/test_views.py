from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from magazine.models import Article
from magazine.pages.article import related_articles
from tests.factories import (
    make_article,
    make_author,
    make_issue,
    make_publication,
    make_section,
    make_tag,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_front_page_lists_publications_and_latest_articles(client):
    article = make_article(title="Winter Hay")
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert article.publication.name in page
    assert "Winter Hay" in page


def test_publication_home_lists_its_articles_by_section(client):
    section = make_section(name="Garden")
    make_article(section=section, title="Mine")
    other = make_article(title="Someone else's")
    response = client.get(section.publication.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mine" in page
    assert other.title not in page
    assert "Garden" in page


def test_publication_home_is_paginated(client, settings):
    settings.MAGAZINE_PAGE_SIZE = 2
    section = make_section()
    for n in range(5):
        make_article(
            section=section, title=f"Story {n}", publish_at=timezone.now() - timedelta(hours=n + 1)
        )
    url = section.publication.get_absolute_url()
    assert "Story 0" in client.get(url).content.decode()
    page3 = client.get(url, {"page": 3}).content.decode()
    assert "Story 4" in page3
    assert "Story 0" not in page3


@pytest.mark.parametrize("page", ["999", "0", "abc", "-1"])
def test_bad_page_numbers_are_not_found(client, page):
    article = make_article()
    response = client.get(article.publication.get_absolute_url(), {"page": page})
    assert response.status_code == 404


def test_section_author_and_tag_pages(client):
    author = make_author(name="Ada Hayward")
    tag = make_tag(name="compost")
    article = make_article(title="Hot Compost", authors=[author], tags=[tag])
    publication = article.publication
    urls = [
        article.section.get_absolute_url(),
        reverse("author", kwargs={"publication": publication.slug, "author": author.slug}),
        reverse("tag", kwargs={"publication": publication.slug, "tag": tag.slug}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Hot Compost" in response.content.decode()


def test_issue_archive_and_issue_contents(client):
    publication = make_publication()
    issue = make_issue(publication, volume=12, number=3, title="Autumn 2026")
    make_article(section=make_section(publication), issue=issue, title="In The Issue")
    archive = client.get(reverse("issue_archive", kwargs={"publication": publication.slug}))
    assert "Autumn 2026" in archive.content.decode()
    year = client.get(
        reverse(
            "issue_year", kwargs={"publication": publication.slug, "year": issue.cover_date.year}
        )
    )
    assert "Autumn 2026" in year.content.decode()
    contents = client.get(issue.get_absolute_url())
    assert "In The Issue" in contents.content.decode()


def test_issue_year_without_issues_is_not_found(client):
    publication = make_publication()
    url = reverse("issue_year", kwargs={"publication": publication.slug, "year": 1901})
    assert client.get(url).status_code == 404


def test_article_page_shows_the_whole_free_article(client):
    author = make_author(name="Ada Hayward")
    article = make_article(title="Hot Compost", authors=[author])
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert "Hot Compost" in page
    assert "Ada Hayward" in page
    assert "After the break" in page
    assert '<link rel="canonical" href="https://magazine.example/' in page
    assert 'property="og:title"' in page


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW])
def test_unpublished_articles_are_not_found(client, status):
    article = make_article(status=status)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_scheduled_article_is_not_found_until_its_time(client):
    article = make_article(publish_at=timezone.now() + timedelta(days=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.title not in client.get(article.publication.get_absolute_url()).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("url", ["/no-such-publication/", "/no-such-publication/some-article/"])
def test_unknown_publication_is_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_unknown_article_section_author_tag_are_not_found(client):
    publication = make_publication()
    for path in ["nothing-here/", "sections/nope/", "authors/nope/", "tags/nope/", "issues/9-9/"]:
        assert client.get(f"/{publication.slug}/{path}").status_code == 404, path


def test_article_of_another_publication_is_not_found_under_this_one(client):
    article = make_article()
    other = make_publication()
    assert client.get(f"/{other.slug}/{article.slug}/").status_code == 404


def test_staff_preview_shows_a_draft(client):
    article = make_article(status=Article.Status.DRAFT, title="Not Yet")
    editor = make_user(is_staff=True, is_superuser=True)
    client.force_login(editor)
    response = client.get(reverse("article_preview", kwargs={"pk": article.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not Yet" in page
    assert "not visible to readers" in page
    assert 'name="robots" content="noindex"' in page


def test_preview_is_closed_to_readers(client):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(make_user())
    response = client.get(reverse("article_preview", kwargs={"pk": article.pk}))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_related_articles_share_tags(client):
    tag = make_tag()
    section = make_section()
    article = make_article(section=section, tags=[tag])
    sibling = make_article(section=make_section(section.publication), tags=[tag], title="Sibling")
    page = client.get(article.get_absolute_url()).content.decode()
    assert sibling.title in page


def test_related_articles_rank_shared_tags_then_the_section():
    first_tag, second_tag = make_tag(), make_tag()
    section = make_section()
    article = make_article(section=section, tags=[first_tag, second_tag])
    other_section = make_section(section.publication)
    both = make_article(section=other_section, tags=[first_tag, second_tag], title="Both")
    one = make_article(section=other_section, tags=[first_tag], title="One")
    neighbour = make_article(section=section, title="Neighbour")
    make_article(section=other_section, title="Unrelated")
    related = related_articles(article, now=timezone.now())
    assert [r.title for r in related] == [both.title, one.title, neighbour.title]
