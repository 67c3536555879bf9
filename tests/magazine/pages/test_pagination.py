"""A deep page of article cards costs what the first one does."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_article, make_comment, make_publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def publication():
    publication = make_publication()
    now = timezone.now()
    for n in range(7):
        article = make_article(publication, title=f"Card {n}", publish_at=now - timedelta(days=n))
        for _ in range(n):
            make_comment(article, status=Comment.Status.APPROVED)
    return publication


@override_settings(MAGAZINE_PAGE_SIZE=2)
def test_a_deep_page_shows_its_own_cards_in_order_with_their_counts(client, publication):
    response = client.get(f"{publication.get_absolute_url()}?page=3")
    cards = response.context["articles"]
    assert [card.title for card in cards] == ["Card 4", "Card 5"]
    assert [card.comment_count for card in cards] == [4, 5]


@override_settings(MAGAZINE_PAGE_SIZE=2)
def test_comment_counts_are_never_computed_for_skipped_rows(client, publication):
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{publication.get_absolute_url()}?page=3")
    counting = [q["sql"] for q in queries if "comments_comment" in q["sql"]]
    assert counting
    assert not any("OFFSET" in sql for sql in counting)
