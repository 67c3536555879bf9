import io

import pytest
from django.conf import settings
from django.core.management import call_command

from comments.models import Comment
from demo.scale import SCALE_PREFIX, seed_scale
from magazine.models import Article
from magazine.pages.search import search
from paywall.models import Subscription

pytestmark = pytest.mark.django_db


def scale_articles():
    return Article.objects.filter(slug__startswith=SCALE_PREFIX).order_by("pk")


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_scale_makes_exactly_what_it_is_asked_for(demo):
    seed_scale(articles=60, comments=300, subscribers=25, seed=7, progress=lambda text: None)
    assert scale_articles().count() == 60
    assert Subscription.objects.filter(user__email__startswith=SCALE_PREFIX).count() == 25
    assert Comment.objects.filter(user__email__startswith=SCALE_PREFIX).count() == 300


def test_seeded_conversations_are_well_formed_threads(demo):
    seed_scale(articles=20, comments=200, subscribers=10, seed=7, progress=lambda text: None)
    replies = Comment.objects.filter(user__email__startswith=SCALE_PREFIX).exclude(parent=None)
    assert replies.exists()
    for reply in replies.select_related("parent"):
        assert reply.article_id == reply.parent.article_id
        assert reply.thread_id == reply.parent.thread_id
        assert reply.depth == reply.parent.depth + 1 <= settings.COMMENTS_MAX_DEPTH
        assert reply.created_at >= reply.parent.created_at


def test_the_same_seed_makes_the_same_archive(demo):
    seed_scale(articles=15, comments=0, subscribers=0, seed=3, progress=lambda text: None)
    first = list(scale_articles().values_list("title", "access", "body"))
    scale_articles().delete()
    seed_scale(articles=15, comments=0, subscribers=0, seed=3, progress=lambda text: None)
    assert list(scale_articles().values_list("title", "access", "body")) == first


def test_seeded_articles_are_searchable(demo):
    seed_scale(articles=30, comments=0, subscribers=0, seed=5, progress=lambda text: None)
    article = scale_articles().filter(access=Article.Access.FREE).first()
    word = article.title.split()[0]
    found = {hit.pk for hit in search(word, now=article.publish_at)[:1000]}
    assert article.pk in found
