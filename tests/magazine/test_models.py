from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from demo.images import landscape_jpeg
from magazine.models import Article
from tests.factories import make_article, make_issue, make_publication, make_section

pytestmark = pytest.mark.django_db


def test_published_article_is_listed_once_its_time_has_come():
    article = make_article()
    assert list(Article.objects.published()) == [article]
    assert article.is_published()


def test_scheduled_article_appears_by_itself_when_its_time_comes():
    now = timezone.now()
    article = make_article(publish_at=now + timedelta(hours=2))
    assert not article.is_published(at=now)
    assert article.is_scheduled(at=now)
    assert not Article.objects.published(at=now).exists()
    later = now + timedelta(hours=2, seconds=1)
    assert article.is_published(at=later)
    assert list(Article.objects.published(at=later)) == [article]


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW])
def test_unpublished_statuses_are_never_published(status):
    article = make_article(status=status, publish_at=timezone.now() - timedelta(days=1))
    assert not article.is_published()
    assert not Article.objects.published().exists()


def test_publishing_without_a_time_publishes_now():
    article = make_article(status=Article.Status.DRAFT, publish_at=None)
    article.status = Article.Status.PUBLISHED
    article.save()
    assert article.publish_at is not None
    assert article.is_published()


def test_section_must_belong_to_the_articles_publication():
    article = make_article()
    article.section = make_section(make_publication())
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "section" in error.value.message_dict


def test_issue_must_belong_to_the_articles_publication():
    article = make_article()
    article.issue = make_issue(make_publication())
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "issue" in error.value.message_dict


def test_lead_image_needs_alt_text():
    article = make_article()
    article.lead_image.save("picture.jpg", ContentFile(landscape_jpeg("x", "#336699")), save=False)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "lead_image_alt" in error.value.message_dict


@pytest.mark.parametrize("slug", ["sections", "tags", "issues", "authors"])
def test_article_slug_may_not_shadow_a_publication_page(slug):
    article = make_article()
    article.slug = slug
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "slug" in error.value.message_dict


@pytest.mark.parametrize("slug", ["admin", "accounts", "static", "search"])
def test_publication_slug_may_not_shadow_a_site_page(slug):
    publication = make_publication()
    publication.slug = slug
    with pytest.raises(ValidationError):
        publication.full_clean()


def test_reading_time_counts_words():
    article = make_article(body=" ".join(["word"] * 1000))
    assert article.reading_minutes == 5


def test_search_description_prefers_the_seo_field_then_the_standfirst():
    article = make_article(dek="The standfirst.", seo_description="")
    assert article.search_description == "The standfirst."
    article.seo_description = "For search engines."
    assert article.search_description == "For search engines."
