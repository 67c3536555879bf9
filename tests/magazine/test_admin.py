from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from magazine.models import Article
from magazine.roles import EDITORS, WRITERS
from tests.factories import make_article, make_section, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:magazine_article_changelist")


def article_form(article, **overrides):
    data = {
        "publication": article.publication_id,
        "section": article.section_id,
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "access": article.access,
        "status": article.status,
        "lead_image_alt": "",
        "lead_image_caption": "",
        "seo_description": "",
    }
    data.update(overrides)
    return data


def run_action(client, action, articles, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in articles], **extra},
        follow=True,
    )


def test_writer_can_create_a_draft_and_submit_it_for_review(client):
    section = make_section()
    client.force_login(make_staff(WRITERS))
    response = client.post(
        reverse("admin:magazine_article_add"),
        {
            "publication": section.publication_id,
            "section": section.pk,
            "title": "A New Fence",
            "slug": "a-new-fence",
            "body": "Posts first.",
            "access": "free",
            "status": "draft",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="a-new-fence")
    run_action(client, "submit_for_review", [article])
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_writer_cannot_publish_through_the_form(client):
    article = make_article(status=Article.Status.REVIEW)
    client.force_login(make_staff(WRITERS))
    url = reverse("admin:magazine_article_change", args=[article.pk])
    response = client.post(url, article_form(article, status="published"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_writer_cannot_publish_through_actions(client):
    article = make_article(status=Article.Status.REVIEW)
    client.force_login(make_staff(WRITERS))
    page = client.get(CHANGELIST).content.decode()
    assert "publish_now" not in page
    assert "submit_for_review" in page
    run_action(client, "publish_now", [article])
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_writer_cannot_change_a_published_article(client):
    article = make_article(status=Article.Status.PUBLISHED)
    client.force_login(make_staff(WRITERS))
    url = reverse("admin:magazine_article_change", args=[article.pk])
    client.post(url, article_form(article, title="Sneaky edit", status="draft"))
    article.refresh_from_db()
    assert article.title != "Sneaky edit"
    assert article.status == Article.Status.PUBLISHED


def test_editor_publishes_now(client):
    article = make_article(status=Article.Status.REVIEW, publish_at=None)
    client.force_login(make_staff(EDITORS))
    run_action(client, "publish_now", [article])
    article.refresh_from_db()
    assert article.is_published()


def test_editor_schedules_for_later(client):
    article = make_article(status=Article.Status.REVIEW, publish_at=None)
    client.force_login(make_staff(EDITORS))
    when = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    form_page = run_action(client, "schedule", [article])
    assert "Publish at" in form_page.content.decode()
    run_action(client, "schedule", [article], apply="1", publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    article.refresh_from_db()
    assert article.is_scheduled()
    assert article.publish_at == when


def test_scheduling_in_the_past_is_refused(client):
    article = make_article(status=Article.Status.REVIEW, publish_at=None)
    client.force_login(make_staff(EDITORS))
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = run_action(client, "schedule", [article], apply="1", publish_at=past)
    assert "Choose a time in the future" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_editor_unpublishes(client):
    article = make_article()
    client.force_login(make_staff(EDITORS))
    run_action(client, "unpublish", [article])
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert client.get(article.get_absolute_url()).status_code == 404


def test_edits_are_kept_in_the_revision_history(client):
    article = make_article(status=Article.Status.DRAFT)
    editor = make_staff(EDITORS)
    client.force_login(editor)
    url = reverse("admin:magazine_article_change", args=[article.pk])
    response = client.post(url, article_form(article, title="Second Title"))
    assert response.status_code == 302
    history = article.history.order_by("history_date")
    assert [h.title for h in history] == [article.title, "Second Title"]
    assert history.last().history_user == editor
    history_page = client.get(reverse("admin:magazine_article_history", args=[article.pk]))
    assert "Second Title" in history_page.content.decode()


def test_changelist_filters_and_search(client):
    make_article(title="Findable Fence", status=Article.Status.DRAFT)
    make_article(title="Other Story")
    client.force_login(make_staff(EDITORS))
    page = client.get(CHANGELIST, {"q": "Findable", "status__exact": "draft"}).content.decode()
    assert "Findable Fence" in page
    assert "Other Story" not in page
    for filter_title in ["By publication", "By status", "By access", "By section"]:
        assert filter_title in page


def test_an_action_records_who_took_it_in_the_revision_history(client):
    article = make_article(status=Article.Status.REVIEW)
    editor = make_staff(EDITORS)
    client.force_login(editor)
    run_action(client, "publish_now", [article])
    latest = article.history.order_by("history_date").last()
    assert latest.status == Article.Status.PUBLISHED
    assert latest.history_user == editor
