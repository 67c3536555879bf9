"""The share pages and a gifted article page stay within the site's query budgets."""

import pytest

from paywall import gifts
from tests.factories import make_author, make_gift_link, make_tag, make_user
from tests.magazine.pages.test_query_budget import assert_budget, build_publication, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def gated_article():
    publication = build_publication(30, 3, 4)
    article = publication.articles.filter(access="subscribers").last()
    article.authors.add(*[make_author() for _ in range(5)])
    article.tags.add(*[make_tag() for _ in range(8)])
    return article


@pytest.mark.parametrize("visitor", ["anonymous", "reader"])
def test_article_page_opened_by_a_gift_link_query_budget(
    client, django_assert_max_num_queries, gated_article, visitor
):
    log_in(client, visitor, gated_article.publication)
    url = gifts.url_for(make_gift_link(gated_article)).removeprefix("https://magazine.example")
    assert_budget(client, url, django_assert_max_num_queries)


@pytest.mark.parametrize("visitor", ["reader", "subscriber", "staff"])
def test_share_page_query_budget(client, django_assert_max_num_queries, gated_article, visitor):
    log_in(client, visitor, gated_article.publication)
    url = f"{gated_article.get_absolute_url()}share/"
    assert_budget(client, url, django_assert_max_num_queries)


def test_sent_page_query_budget(client, django_assert_max_num_queries, gated_article):
    client.force_login(make_user())
    url = f"{gated_article.get_absolute_url()}share/sent/"
    assert_budget(client, url, django_assert_max_num_queries)
