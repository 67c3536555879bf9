"""Each newsletter's archive on the web, and the editors' preview and test send."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from magazine.models import Article
from magazine.roles import EDITORS, WRITERS, ensure_staff_groups
from newsletters.models import Cadence, Send
from newsletters.sending import digest_due_at
from tests.factories import HIDDEN, make_article, make_publication, make_staff, make_user
from tests.newsletters.helpers import everything_in, make_newsletter, sign_up, tick

pytestmark = pytest.mark.django_db


@pytest.fixture
def title():
    return make_publication(name="Homestead Almanac")


@pytest.fixture
def newsletter(title):
    newsletter = make_newsletter(title, name="New articles", slug="new-articles")
    sign_up(newsletter, email="reader@example.com")
    return newsletter


def publish(publication, **fields):
    fields.setdefault("access", Article.Access.SUBSCRIBERS)
    fields.setdefault("publish_at", timezone.now() - timedelta(minutes=1))
    return make_article(publication, **fields)


def test_the_archive_lists_what_was_sent_and_links_to_the_gated_article(client, title, newsletter):
    sent = publish(title, title="Sent one")
    tick()
    publish(title, title="Never emailed", send_by_email=False)
    tick()
    page = client.get("/newsletters/new-articles/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sent one" in html and "Never emailed" not in html
    assert sent.get_absolute_url() in html
    article_page = client.get(sent.get_absolute_url()).content.decode()
    assert HIDDEN not in article_page  # the issue on the web is the article page, paywall and all


def test_a_digest_has_its_own_page_with_titles_and_teasers_only(client, title):
    digest = make_newsletter(
        title, slug="weekly", cadence=Cadence.WEEKLY, created_at=timezone.now() - timedelta(days=30)
    )
    sign_up(digest, email="reader@example.com")
    due = digest_due_at(Cadence.WEEKLY, timezone.now() + timedelta(days=7))
    with time_machine.travel(due - timedelta(days=1), tick=False):
        article = publish(title, title="Fences")
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        tick()
        send = Send.objects.get(newsletter=digest)
        page = client.get(f"/newsletters/weekly/{send.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Fences" in html and article.dek in html
    assert HIDDEN not in html and "open paragraph" not in html
    assert f"/newsletters/weekly/{send.pk}/" in client.get("/newsletters/weekly/").content.decode()


def test_unknown_newsletters_and_issues_are_not_found(client, newsletter):
    assert client.get("/newsletters/no-such-thing/").status_code == 404
    assert client.get("/newsletters/new-articles/999/").status_code == 404


@pytest.fixture
def editor():
    return make_staff(EDITORS, "editor@example.com")


def test_editors_preview_both_versions_of_an_articles_email(client, title, newsletter, editor):
    article = publish(title, status=Article.Status.DRAFT, publish_at=None)
    client.force_login(editor)
    page = client.get(reverse("admin:newsletters_email_preview", args=[article.pk]))
    assert page.status_code == 200
    whole = client.get(
        reverse(
            "admin:newsletters_email_preview_html", args=[article.pk, newsletter.pk, "subscriber"]
        )
    )
    teaser = client.get(
        reverse(
            "admin:newsletters_email_preview_html", args=[article.pk, newsletter.pk, "everyone"]
        )
    )
    assert HIDDEN in whole.content.decode() and HIDDEN not in teaser.content.decode()
    assert "Read the rest" in teaser.content.decode()
    assert "sandbox" in whole["Content-Security-Policy"]
    assert mail.outbox == []  # a preview sends nothing


def test_a_test_send_goes_to_the_editor_alone(client, title, newsletter, editor):
    article = publish(title, status=Article.Status.DRAFT, publish_at=None)
    client.force_login(editor)
    response = client.post(
        reverse("admin:newsletters_email_preview", args=[article.pk]), {"newsletter": newsletter.pk}
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["editor@example.com"], ["editor@example.com"]]
    subscriber_copy, everyone_copy = mail.outbox
    assert subscriber_copy.subject.startswith(
        "[Test, as a subscriber]"
    ) and HIDDEN in everything_in(subscriber_copy)
    assert HIDDEN not in everything_in(everyone_copy)
    assert not Send.objects.exists()  # the real send is still to come
    tick()
    assert len(mail.outbox) == 2  # a draft is not sent


def test_the_article_form_links_to_the_preview_and_has_the_checkbox(
    client, title, newsletter, editor
):
    article = publish(title, status=Article.Status.DRAFT, publish_at=None)
    client.force_login(editor)
    html = client.get(reverse("admin:magazine_article_change", args=[article.pk])).content.decode()
    assert 'name="send_by_email"' in html
    assert reverse("admin:newsletters_email_preview", args=[article.pk]) in html


def test_readers_and_writers_cannot_see_the_preview(client, title, newsletter):
    article = publish(title)
    client.force_login(make_user())
    assert (
        client.get(reverse("admin:newsletters_email_preview", args=[article.pk])).status_code == 302
    )
    ensure_staff_groups()

    outsider = make_user(is_staff=True)
    client.force_login(outsider)
    assert (
        client.get(reverse("admin:newsletters_email_preview", args=[article.pk])).status_code == 403
    )
    writer = make_staff(WRITERS)
    client.force_login(writer)
    assert (
        client.get(reverse("admin:newsletters_email_preview", args=[article.pk])).status_code == 200
    )


def test_an_issue_whose_article_was_deleted_or_withdrawn_is_gone(client, title, newsletter):
    sign_up(newsletter, email="another@example.com")
    deleted, withdrawn = publish(title, title="Deleted"), publish(title, title="Withdrawn")
    tick()
    sends = {send.article.title: send.pk for send in Send.objects.all()}
    deleted.delete()
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    for pk in sends.values():
        assert client.get(f"/newsletters/{newsletter.slug}/{pk}/").status_code == 404
    archive = client.get(f"/newsletters/{newsletter.slug}/").content.decode()
    assert "Deleted" not in archive and "Withdrawn" not in archive
