"""No input gives a 5xx: hostile values in every path parameter and query parameter of every
URL pattern, for a visitor, a reader and staff, with DEBUG off — always a 4xx at worst."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_user
from tests.routes import build_site, every_route

pytestmark = pytest.mark.django_db

NASTY = [
    "²", "١٢", "-1", "0", "00", "1e9", "99999999999999999999999999999999", "\x00", "a\x00b",
    "x" * 10_000, "%", "%ZZ", "%C0%AF", "%00", "%E2%82", "../../etc/passwd", "' OR 1=1 --",
    "<script>alert(1)</script>", " ", "", "\u2028", "\ud7ff", "NaN", "None", "[]", "{}",
    "2026-02-30", "9999-12-31", "0000-01-01", "-0", "+1", "1.5", "0x10",
]  # fmt: skip
QUERY_NAMES = [
    "page", "q", "comments", "replyto", "gift", "next", "publication", "section", "since",
    "until", "o", "p", "all", "_changelist_filters", "status", "e", "q__gt", "_to_field",
]  # fmt: skip
FORM_NAMES = ["body", "parent", "to", "note", "sender_name", "login", "password", "action",
              "email", "notify_replies", "gift", "_selected_action", "publish_at"]  # fmt: skip

hostile = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


def encoded(value):
    """`value` as it may arrive in a URL: as typed, or percent-encoded, or raw bytes."""
    return value.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")


@pytest.fixture
def site():
    values, reader = build_site()
    staff = make_user("staff@example.com", is_staff=True, is_superuser=True)
    clients = {"visitor": Client(raise_request_exception=False)}
    for name, user in (("reader", reader), ("staff", staff)):
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    return values, clients


@pytest.mark.parametrize("route", every_route(), ids=lambda route: route.template or "front")
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_value_anywhere_gives_a_server_error(site, route, data):
    values, clients = site
    role = data.draw(st.sampled_from(sorted(clients)), label="role")
    path_values = {
        name: data.draw(st.one_of(st.just(values[name]), hostile.map(encoded)), label=name)
        for name in route.parameters
    }
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), hostile, max_size=3))
    method = data.draw(st.sampled_from(["get", "post", "head"]), label="method")
    client = clients[role]
    path = route.path(path_values)
    if method == "post":
        form = data.draw(st.dictionaries(st.sampled_from(FORM_NAMES), hostile, max_size=4))
        response = client.post(path, form)
    else:
        response = getattr(client, method)(path, query)
    assert response.status_code < 500, (role, method, path, query, response.status_code)
