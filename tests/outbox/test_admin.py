"""Staff find an address on the suppression list by typing it, add one by hand (only its hash
and a hint are kept) and delete a row to let mail go to the address again."""

import pytest
from django.urls import reverse

from magazine.roles import PUBLISHERS, WRITERS
from outbox.models import Suppression
from outbox.suppression import address_hash, is_suppressed, suppress
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:outbox_suppression_changelist")
ADD = reverse("admin:outbox_suppression_add")
Reason = Suppression.Reason


@pytest.fixture
def publisher(client):
    user = make_staff(PUBLISHERS)
    client.force_login(user)
    return user


def test_staff_add_an_address_and_only_its_hash_is_kept(client, publisher):
    page = client.get(ADD).content.decode()
    assert '<option value="manual" selected>Added by staff</option>' in page
    response = client.post(
        ADD, {"email": "Pest@Example.com", "reason": "manual", "note": "Asked by phone"}
    )
    assert response.status_code == 302
    row = Suppression.objects.get()
    assert row.address_hash == address_hash("pest@example.com")
    assert (row.hint, row.reason, row.note) == ("p•••@example.com", "manual", "Asked by phone")
    assert row.source == f"staff: {publisher.email}"
    assert is_suppressed("pest@example.com", transactional=True)


def test_an_address_already_on_the_list_is_not_added_twice(client, publisher):
    suppress("pest@example.com", Reason.COMPLAINT, source="Postmark")
    response = client.post(ADD, {"email": "pest@example.com", "reason": "manual"})
    assert "on the list already" in response.content.decode()
    assert Suppression.objects.get().reason == Reason.COMPLAINT


def test_staff_find_an_address_by_typing_it(client, publisher):
    suppress("jane@example.com", Reason.HARD_BOUNCE, source="Postmark")
    suppress("john@example.org", Reason.COMPLAINT, source="Postmark")
    page = client.get(CHANGELIST, {"q": " Jane@Example.com "}).content.decode()
    assert "j•••@example.com" in page
    assert "j•••@example.org" not in page
    page = client.get(CHANGELIST, {"q": "jane"}).content.decode()  # a hash has no parts
    assert "j•••@example.com" not in page


def test_staff_filter_the_list_by_reason(client, publisher):
    suppress("jane@example.com", Reason.HARD_BOUNCE, source="Postmark")
    suppress("john@example.org", Reason.COMPLAINT, source="Postmark")
    page = client.get(CHANGELIST, {"reason__exact": "complaint"}).content.decode()
    assert "j•••@example.org" in page
    assert "j•••@example.com" not in page


def test_deleting_a_row_lets_mail_go_to_the_address_again(client, publisher):
    row = suppress("jane@example.com", Reason.HARD_BOUNCE, source="Postmark")
    delete = reverse("admin:outbox_suppression_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not is_suppressed("jane@example.com")


def test_staff_without_the_permissions_cannot_see_the_list(client):
    client.force_login(make_staff(WRITERS))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(ADD).status_code == 403
