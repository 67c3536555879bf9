"""Staff see which articles are shared most and revoke gift links from the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from magazine.roles import EDITORS
from paywall import gifts
from paywall.models import GiftLink
from sharing.models import Share
from tests.factories import HIDDEN, make_article, make_gift_link, make_user

pytestmark = pytest.mark.django_db

REPORT = reverse("admin:sharing_sharedarticle_changelist")
GIFTS = reverse("admin:paywall_giftlink_changelist")


@pytest.fixture
def editor_client(client):
    editor = make_user(is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    return client


def shared(article, *recipient_counts, days_ago=0):
    for count in recipient_counts:
        Share.objects.create(
            article=article,
            recipient_count=count,
            created_at=timezone.now() - timedelta(days=days_ago),
        )


def test_editors_see_the_most_shared_articles_first(editor_client, publication):
    quiet, popular, old = (make_article(publication, title=t) for t in ("Quiet", "Popular", "Old"))
    never = make_article(publication, title="Never shared")
    shared(quiet, 1)
    shared(popular, 3, 2, 5)
    shared(old, 5, 5, 5, days_ago=60)
    response = editor_client.get(REPORT)
    assert "Emails (30 days)" in response.content.decode()
    rows = response.context["cl"].result_list
    assert [a.title for a in rows] == ["Popular", "Quiet", "Old"]
    assert [(a.recent_share_count, a.recent_email_count, a.email_count) for a in rows] == [
        (3, 10, 10),
        (1, 1, 1),
        (0, 0, 15),
    ]
    assert never not in rows


def test_the_report_can_be_sorted_by_emails_of_all_time(editor_client, publication):
    recent, old = make_article(publication, title="Recent"), make_article(publication, title="Old")
    shared(recent, 2)
    shared(old, 5, 5, days_ago=60)
    page = editor_client.get(REPORT, {"o": "-6"})  # the sixth column: emails in all
    assert [a.title for a in page.context["cl"].result_list] == ["Old", "Recent"]


def test_editors_list_shares_but_cannot_add_or_change_them(editor_client, article):
    shared(article, 2)
    page = editor_client.get(reverse("admin:sharing_share_changelist")).content.decode()
    assert "Mending fences" in page
    assert editor_client.get(reverse("admin:sharing_share_add")).status_code == 403


def test_editors_revoke_a_gift_link_and_it_stops_at_once(editor_client, article):
    link = make_gift_link(article)
    url = gifts.url_for(link).removeprefix("https://magazine.example")
    editor_client.post(GIFTS, {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.status() == GiftLink.Status.REVOKED
    editor_client.logout()
    html = editor_client.get(url).content.decode()
    assert HIDDEN not in html
    assert "This gift link has been withdrawn." in html


def test_staff_filter_gift_links_by_status(editor_client, article):
    now = timezone.now()
    make_gift_link(article, giver_name="Active")
    make_gift_link(article, giver_name="Expired", expires_at=now - timedelta(days=1))
    make_gift_link(article, giver_name="Revoked", revoked_at=now)
    for status in ["active", "expired", "revoked"]:
        rows = editor_client.get(GIFTS, {"status": status}).context["cl"].result_list
        assert [link.giver_name for link in rows] == [status.capitalize()]
