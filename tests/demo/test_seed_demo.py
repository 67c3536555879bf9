import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from magazine.models import Article, Publication

pytestmark = pytest.mark.django_db


def counts():
    return (Publication.objects.count(), Article.objects.count(), get_user_model().objects.count())


def test_seed_demo_builds_three_publications_and_can_run_again(capsys):
    call_command("seed_demo")
    first = counts()
    assert first[0] == 3
    assert first[1] >= 30
    call_command("seed_demo")
    assert counts() == first
    output = capsys.readouterr().out
    assert "editor@example.com" in output
    assert "writer@example.com" in output


def test_demo_content_mixes_access_levels_and_has_images():
    call_command("seed_demo")
    for publication in Publication.objects.all():
        articles = publication.articles.all()
        assert {a.access for a in articles} == set(Article.Access.values)
        assert publication.issues.count() == 2
        assert all(a.lead_image and a.lead_image_alt for a in articles)
    assert Article.objects.published().count() < Article.objects.count()


def test_demo_staff_can_log_in(client):
    call_command("seed_demo")
    assert client.login(username="editor@example.com", password="magazine-demo")
    assert client.get("/admin/").status_code == 200


def test_demo_has_a_conversation_under_an_article_and_can_run_again():
    from comments.models import Comment

    call_command("seed_demo")
    count = Comment.objects.count()
    assert count >= 5
    assert Comment.objects.filter(depth=3, status="approved").exists()
    authors = set(Comment.objects.values_list("user__email", flat=True))
    assert authors == {"reader@example.com", "subscriber@example.com", "editor@example.com"}
    call_command("seed_demo")
    assert Comment.objects.count() == count


def test_the_demo_has_print_subscribers_and_an_edition_for_each_issue(client):
    from magazine.models import Issue
    from print_readers.models import PrintSubscriber

    call_command("seed_demo")
    records = dict(PrintSubscriber.objects.values_list("account_number", "status"))
    assert records == {"HA100234": "active", "HA100987": "lapsed"}
    issues = list(Issue.objects.all())
    assert issues and all(issue.edition for issue in issues)
    with issues[0].edition.open("rb") as edition:
        assert edition.read(5) == b"%PDF-"
    client.login(email="reader@example.com", password="magazine-demo")
    response = client.post(
        "/accounts/print/",
        {"publication": "homestead", "account_number": "HA-100234", "postcode": "05753"},
    )
    assert response.status_code == 302
    call_command("seed_demo")  # again: no second edition, no second record
    assert PrintSubscriber.objects.count() == 2
