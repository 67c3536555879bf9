"""Pages cost a fixed number of queries, whoever reads and however big the archive is.

`WARM_BUDGET` is the steady state: a reader's second request, with the site menu, the session,
the rendered article body and the page's cached fragments in the cache. `COLD_BUDGET` bounds a
first request on empty caches (a restarted cache).
"""

import pytest
from django.utils import timezone

from magazine.models import Article
from paywall.subscriptions import end_of_day, grant, plan_for_publication
from tests.factories import PASSWORD, make_article, make_author, make_section, make_tag, make_user

pytestmark = pytest.mark.django_db

WARM_BUDGET = 8
COLD_BUDGET = 12  # one more than before newsletters: the signup box, until its fragment is cached
SIZES = [(1, 1, 1), (30, 3, 4)]
VISITORS = ["anonymous", "reader", "subscriber", "staff"]


def build_publication(articles, authors_each, tags_each):
    section = make_section()
    extra = make_section(section.publication)
    for n in range(articles):
        make_article(
            section=section if n % 2 else extra,
            access=[Article.Access.FREE, Article.Access.SUBSCRIBERS][n % 2],
            authors=[make_author() for _ in range(authors_each)],
            tags=[make_tag() for _ in range(tags_each)],
        )
    return section.publication


def log_in(client, visitor, publication):
    if visitor == "anonymous":
        return
    user = make_user(is_staff=visitor == "staff")
    if visitor == "subscriber":
        until = end_of_day(timezone.localdate().replace(year=timezone.localdate().year + 1))
        grant(user=user, plan=plan_for_publication(publication), until=until)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def assert_budget(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(COLD_BUDGET):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(WARM_BUDGET):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("visitor", VISITORS)
def test_article_page_query_budget(client, django_assert_max_num_queries, size, visitor):
    publication = build_publication(*size)
    article = publication.articles.filter(access=Article.Access.SUBSCRIBERS).last() or (
        publication.articles.last()
    )
    article.authors.add(*[make_author() for _ in range(5)])
    article.tags.add(*[make_tag() for _ in range(8)])
    log_in(client, visitor, publication)
    assert_budget(client, article.get_absolute_url(), django_assert_max_num_queries)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("visitor", VISITORS)
def test_publication_home_query_budget(client, django_assert_max_num_queries, size, visitor):
    publication = build_publication(*size)
    log_in(client, visitor, publication)
    assert_budget(client, publication.get_absolute_url(), django_assert_max_num_queries)


@pytest.mark.parametrize("size", SIZES)
def test_front_page_query_budget(client, django_assert_max_num_queries, size):
    build_publication(*size)
    assert_budget(client, "/", django_assert_max_num_queries)


@pytest.mark.parametrize("size", SIZES)
def test_section_page_query_budget(client, django_assert_max_num_queries, size):
    publication = build_publication(*size)
    assert_budget(
        client, publication.sections.first().get_absolute_url(), django_assert_max_num_queries
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("visitor", VISITORS)
def test_search_page_query_budget(client, django_assert_max_num_queries, size, visitor):
    publication = build_publication(*size)
    log_in(client, visitor, publication)
    for url in ["/search/?q=standfirst", f"/{publication.slug}/search/?q=standfirst"]:
        assert_budget(client, url, django_assert_max_num_queries)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["site", "publication", "section"])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_query_budget(client, django_assert_max_num_queries, size, kind, fmt):
    publication = build_publication(*size)
    section = publication.sections.first()
    prefix = {
        "site": "/",
        "publication": f"/{publication.slug}/",
        "section": f"{section.get_absolute_url()}",
    }[kind]
    assert_budget(client, f"{prefix}feeds/{fmt}/", django_assert_max_num_queries)


@pytest.mark.parametrize("size", SIZES)
def test_private_feed_query_budget(client, django_assert_max_num_queries, size):
    from accounts.models import FeedToken

    publication = build_publication(*size)
    user = make_user()
    grant(user=user, plan=plan_for_publication(publication), until=end_of_day(timezone.localdate()))
    token = FeedToken.objects.create(user=user)
    assert_budget(client, f"/feeds/private/{token.key}/atom/", django_assert_max_num_queries)


@pytest.mark.parametrize("size", SIZES)
def test_sitemap_query_budget(client, django_assert_max_num_queries, size):
    build_publication(*size)
    assert_budget(client, "/sitemap.xml", django_assert_max_num_queries)
