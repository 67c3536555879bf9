from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from paywall.models import Subscription
from tests.factories import make_publication, make_user, subscribe

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:paywall_subscription_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_staff_search_subscriptions_by_email(staff_client):
    subscribe(make_user("hen@example.com"), make_publication())
    subscribe(make_user("goat@example.com"), make_publication())
    page = staff_client.get(CHANGELIST, {"q": "hen@"}).content.decode()
    assert "hen@example.com" in page
    assert "goat@example.com" not in page


@pytest.mark.parametrize("status", ["active", "grace", "expired", "cancelled"])
def test_staff_filter_subscriptions_by_status(staff_client, status):
    now = timezone.now()
    day = timedelta(days=1)
    windows = {
        "active": {"starts_at": now - day, "ends_at": now + day},
        "grace": {"starts_at": now - 9 * day, "ends_at": now - day},
        "expired": {"starts_at": now - 99 * day, "ends_at": now - 50 * day},
        "cancelled": {"starts_at": now - day, "ends_at": now + day, "cancelled_at": now - day},
    }
    for name, window in windows.items():
        subscribe(make_user(f"{name}@example.com"), make_publication(), **window)
    page = staff_client.get(CHANGELIST, {"status": status}).content.decode()
    for name in windows:
        assert (f"{name}@example.com" in page) is (name == status)


def test_staff_extend_and_cancel_from_the_list(staff_client):
    subscription = subscribe(make_user(), make_publication(), days=10)
    ends = subscription.ends_at
    staff_client.post(CHANGELIST, {"action": "extend_year", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.ends_at == ends + timedelta(days=365)
    staff_client.post(CHANGELIST, {"action": "cancel_now", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.status() == Subscription.Status.CANCELLED


def test_adding_a_subscription_by_hand_defaults_to_a_complimentary_year(staff_client):
    page = staff_client.get(reverse("admin:paywall_subscription_add")).content.decode()
    assert '<option value="comp" selected>Complimentary</option>' in page


def test_a_print_linked_subscription_follows_its_record_not_the_admins_actions(staff_client):
    linked = subscribe(make_user(), make_publication(), days=10)
    linked.source = Subscription.Source.PRINT
    linked.save()
    other = subscribe(make_user(), make_publication(), days=10)
    ends = linked.ends_at
    response = staff_client.post(
        CHANGELIST,
        {"action": "extend_year", "_selected_action": [linked.pk, other.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert (
        "1 subscription(s) extended" in page and "1 print-linked subscription(s) left alone" in page
    )
    linked.refresh_from_db()
    other.refresh_from_db()
    assert linked.ends_at == ends and other.ends_at > ends + timedelta(days=300)
    form = staff_client.get(reverse("admin:paywall_subscription_change", args=[linked.pk]))
    assert 'name="ends_at' not in form.content.decode()  # read-only: the record sets it


def test_a_print_linked_subscription_is_shown_not_edited_on_the_readers_page(staff_client):
    reader = make_user("reader@example.com")
    linked = subscribe(reader, make_publication(), days=10)
    linked.source = Subscription.Source.PRINT
    linked.save()
    page = staff_client.get(reverse("admin:accounts_user_change", args=[reader.pk]))
    html = page.content.decode()
    assert 'name="subscriptions-0-ends_at_0"' in html
    field = page.context["inline_admin_formsets"][0].formset.forms[0].fields["ends_at"]
    assert field.disabled


def test_publishers_choose_whom_they_give_to(client):
    from magazine.roles import PUBLISHERS
    from tests.factories import make_staff

    make_user("reader@example.com")
    client.force_login(make_staff(PUBLISHERS))
    for model in ("editionaccess", "subscription"):
        answer = client.get(
            "/admin/autocomplete/",
            {"app_label": "paywall", "model_name": model, "field_name": "user", "term": "read"},
        )
        assert answer.status_code == 200 and "reader@example.com" in answer.content.decode()
