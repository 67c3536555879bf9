"""The article page costs the same number of queries with no comments, a few, or hundreds in
deep threads; list pages show comment counts without a query per card."""

import pytest

from magazine.models import Article
from tests.factories import make_article, make_comment, make_section, make_user
from tests.magazine.pages.test_query_budget import (
    VISITORS,
    assert_budget,
    build_publication,
    log_in,
)

pytestmark = pytest.mark.django_db


def add_comments(article, count, *, depth=1):
    """`count` comments by different readers, in chains `depth` deep, some awaiting moderation."""
    parent = None
    for n in range(count):
        if n % depth == 0:
            parent = None
        status = "pending" if n % 7 == 3 else "approved"
        parent = make_comment(article, make_user(), parent=parent, body=f"Comment {n} on it.")
        parent.status = status
        parent.save(update_fields=["status"])
        if status == "pending":
            parent = parent.parent


@pytest.mark.parametrize(("count", "depth"), [(0, 1), (10, 1), (10, 5), (500, 1), (500, 5)])
@pytest.mark.parametrize("visitor", VISITORS)
def test_article_page_query_budget_with_comments(
    client, django_assert_max_num_queries, count, depth, visitor
):
    article = make_article(access=Article.Access.FREE)
    add_comments(article, count, depth=depth)
    log_in(client, visitor, article.publication)
    assert_budget(client, article.get_absolute_url(), django_assert_max_num_queries)


@pytest.mark.parametrize("visitor", VISITORS)
def test_subscribers_article_with_comments_keeps_the_budget(
    client, django_assert_max_num_queries, visitor
):
    publication = build_publication(4, 1, 1)
    article = publication.articles.filter(access=Article.Access.SUBSCRIBERS).first()
    add_comments(article, 30, depth=3)
    log_in(client, visitor, publication)
    assert_budget(client, article.get_absolute_url(), django_assert_max_num_queries)


def test_publication_page_with_commented_articles_keeps_the_budget(
    client, django_assert_max_num_queries
):
    section = make_section()
    for _ in range(12):
        add_comments(make_article(section=section), 3)
    assert_budget(client, section.publication.get_absolute_url(), django_assert_max_num_queries)
    assert "3 comments" in client.get(section.publication.get_absolute_url()).content.decode()


def test_a_page_of_500_threads_is_split_into_pages(client):
    article = make_article()
    add_comments(article, 500)
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('class="comment"') == 20
