import pytest
from django.urls import reverse

from magazine.models import Article
from tests.factories import make_article, make_publication, make_section, make_user, subscribe


@pytest.fixture
def publication(db):
    return make_publication(
        name="Homestead Almanac", slug="almanac", subscribe_url="https://example.com/subscribe"
    )


@pytest.fixture
def article(publication):
    return make_article(
        section=make_section(publication),
        access=Article.Access.SUBSCRIBERS,
        title="Mending fences",
        slug="mending-fences",
        dek="How to keep the goats in.",
    )


@pytest.fixture
def subscriber(publication):
    user = make_user("ann@example.com", display_name="Ann Example", verified=True)
    subscribe(user, publication)
    return user


@pytest.fixture
def share(client):
    """Posts the share form for `article` with sensible answers, overridden by keywords."""

    def post(article, **fields):
        data = {
            "to": "friend@example.com",
            "sender_name": "Ann Example",
            "sender_email": "ann@example.com",
            "note": "",
            "website": "",
            **fields,
        }
        return client.post(url_to_share(article), {k: v for k, v in data.items() if v is not None})

    return post


@pytest.fixture
def share_url(article):
    return url_to_share(article)


def url_to_share(article):
    return reverse(
        "share_article", kwargs={"publication": article.publication.slug, "slug": article.slug}
    )
