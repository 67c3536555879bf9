"""Search stays fast on a large archive: on PostgreSQL its query is answered from the GIN index."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from magazine.models import Article
from magazine.pages.search import search
from magazine.pages.search.index import reindex
from tests.factories import make_section

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's"),
]

RARE = "zeppelin"


def seed_archive(count, *, rare_every=500):
    """`count` published articles made in bulk and indexed; one in `rare_every` mentions RARE."""
    section = make_section()
    now = timezone.now()
    rare = f" A {RARE} flew over."
    Article.objects.bulk_create(
        [
            Article(
                publication=section.publication,
                section=section,
                title=f"Dispatch {n}",
                slug=f"dispatch-{n}",
                dek="Hedges, ditches and the weather this week.",
                body=f"Notes from the field, {n}.{rare if n % rare_every == 0 else ''}"
                "\n\nMore about the hedges.\n\n<!-- more -->\n\nFor subscribers.",
                access=[Article.Access.FREE, Article.Access.SUBSCRIBERS][n % 2],
                status=Article.Status.PUBLISHED,
                publish_at=now - timedelta(minutes=n + 1),
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    assert reindex(Article.objects.filter(section=section)) == count
    with connection.cursor() as cursor:
        # As autovacuum would on a live site: the index's pending list merged, statistics fresh.
        cursor.execute("SELECT gin_clean_pending_list('article_search_vector')")
        cursor.execute("ANALYZE magazine_article")


def test_search_on_a_large_archive_uses_the_gin_index():
    seed_archive(5000)
    results = search(RARE, now=timezone.now())
    plan = results.explain()
    assert "article_search_vector" in plan, plan
    assert results.count() == 10
