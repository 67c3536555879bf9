"""Pages cost a fixed number of queries, however many articles, authors or tags there are."""

import pytest

from tests.factories import make_article, make_author, make_section, make_tag, make_user

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 8


def build_publication(articles, authors_each, tags_each):
    section = make_section()
    extra = make_section(section.publication)
    for n in range(articles):
        make_article(
            section=section if n % 2 else extra,
            authors=[make_author() for _ in range(authors_each)],
            tags=[make_tag() for _ in range(tags_each)],
        )
    return section.publication


@pytest.mark.parametrize("size", [(1, 1, 1), (30, 3, 4)])
def test_publication_home_query_budget(client, django_assert_max_num_queries, size):
    publication = build_publication(*size)
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get(publication.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [(1, 1, 1), (30, 3, 4)])
def test_front_page_query_budget(client, django_assert_max_num_queries, size):
    build_publication(*size)
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("size", [(1, 1, 1), (30, 3, 4)])
def test_article_page_query_budget(client, django_assert_max_num_queries, size):
    publication = build_publication(*size)
    article = publication.articles.last()
    article.authors.add(*[make_author() for _ in range(5)])
    article.tags.add(*[make_tag() for _ in range(8)])
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [(1, 1, 1), (30, 3, 4)])
def test_article_page_query_budget_for_a_logged_in_reader(
    client, django_assert_max_num_queries, size
):
    publication = build_publication(*size)
    client.force_login(make_user())
    article = publication.articles.first()
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert client.get(article.get_absolute_url()).status_code == 200
