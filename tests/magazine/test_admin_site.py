"""The admin answers hostile or mistaken links with a form or a 400, never a server error."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_publication, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    client = Client(raise_request_exception=False)
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("url_name", "query", "shown"),
    [
        ("admin:comments_ban_add", "until=2024-01-01", 'value="2024-01-01"'),
        ("admin:comments_ban_add", "until=2024-01-01 12:30", 'value="12:30:00"'),
        ("admin:comments_ban_add", "until=%C2%B2", 'name="until_0"'),
        ("admin:magazine_article_add", "publish_at=not-a-date", 'name="publish_at_0"'),
        ("admin:paywall_subscription_add", "ends_at=2027-13-45", 'name="ends_at_0"'),
    ],
)
def test_a_prefilled_date_is_read_or_left_out(staff, url_name, query, shown):
    response = staff.get(f"{reverse(url_name)}?{query}")
    assert response.status_code == 200
    assert shown in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_empty_to_field_is_refused_not_a_crash(staff, method):
    publication = make_publication()
    url = reverse("admin:magazine_publication_change", args=[publication.pk])
    response = getattr(staff, method)(f"{url}?_to_field=", {"_to_field": ""})
    assert response.status_code == 400
