"""The revenue page's figures for a known set of subscriptions, its export of subscribers, and
who may see it."""

import csv
import io
import itertools
from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.urls import reverse

from billing import account, revenue
from billing.checkout import start_checkout
from billing.models import (
    Customer,
    GiftSubscription,
    PaidSubscription,
    Payment,
    Price,
    WebhookEvent,
)
from billing.providers.test import TestProvider
from magazine.roles import EDITORS, PUBLISHERS, ensure_staff_groups
from tests.factories import make_user

Status = PaidSubscription.Status
NOW = datetime(2026, 3, 15, 12, tzinfo=ZoneInfo("UTC"))
DAY = timedelta(days=1)
LAST_MONTH = datetime(2026, 2, 10, tzinfo=ZoneInfo("UTC"))
PAGE = reverse("admin:billing_revenue")
EXPORT = reverse("admin:billing_export")
PAYMENTS = reverse("admin:billing_payment_changelist")
numbers = itertools.count(1)


def paid(price, *, email=None, customer=None, **fields):
    """A subscription to `price` as last synced (by default active, from last month, renewing),
    of a new reader unless `customer` is given."""
    if customer is None:
        user = make_user(email, **fields.pop("user", {}))
        customer = Customer.objects.create(user=user, provider="test", external_id=f"cus_{user.pk}")
    fields = {"status": Status.ACTIVE, "started_at": LAST_MONTH,
              "current_period_end": NOW + 20 * DAY, **fields}  # fmt: skip
    return PaidSubscription.objects.create(
        provider="test", external_id=f"sub_{next(numbers)}", customer=customer, price=price,
        **fields,
    )  # fmt: skip


def every():
    return PaidSubscription.objects.all()


# Pure rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"), ("+1", "'+1"),
     ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Rosa", "Rosa"),
     ("rosa=1", "rosa=1"), ("", ""), (None, ""), (32, "32")],
)  # fmt: skip
def test_a_cell_that_could_start_a_formula_is_quoted(value, cell):
    assert revenue.spreadsheet_safe(value) == cell


def test_this_month_begins_on_the_first_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    start = revenue.month_start(datetime(2026, 4, 1, 2, tzinfo=ZoneInfo("UTC")))  # 31 March there
    assert (start.month, start.day, start.hour) == (3, 1, 0)
    assert start.utcoffset() == timedelta(hours=-5)


# The figures -----------------------------------------------------------------------------------


def test_monthly_recurring_revenue_counts_what_will_renew_a_yearly_price_a_twelfth(
    plan, monthly, yearly
):
    euros = Price.objects.create(plan=plan, interval="year", amount=1200, currency="eur",
                                 active=False)  # fmt: skip
    paid(monthly)  # $4
    paid(yearly)  # $32 / 12
    paid(monthly, status=Status.PAST_DUE)  # $4: still renewing, the payment is tried again
    paid(euros)  # €1
    paid(monthly, status=Status.TRIALING)
    paid(monthly, cancel_at_period_end=True)
    paid(monthly, status=Status.CANCELED, ended_at=NOW - DAY)
    paid(monthly, status=Status.INCOMPLETE)
    assert revenue.monthly_recurring_revenue(every()) == {"eur": 100, "usd": 400 + 267 + 400}


def test_paying_subscribers_are_counted_per_publication_and_per_bundle(
    plan, almanac, flock, yearly, bundle_yearly
):
    own = paid(yearly)
    paid(bundle_yearly, customer=own.customer)  # counted once for the almanac
    paid(yearly, status=Status.PAST_DUE)
    paid(bundle_yearly)
    paid(yearly, status=Status.TRIALING)  # not paying yet
    paid(yearly, status=Status.CANCELED)
    paid(yearly, current_period_end=NOW - 8 * DAY)  # a cheque not paid again: lapsed
    per_publication = {
        p.name: p.subscribers for p in revenue.subscribers_per_publication(every(), now=NOW)
    }
    assert per_publication == {"Homestead Almanac": 3, "The Backyard Flock": 2}
    bundles = revenue.subscribers_per_bundle(every(), now=NOW)
    assert [(b.name, b.titles, b.subscribers) for b in bundles] == [("All three titles", 2, 2)]


def test_new_and_cancelled_this_month(yearly):
    paid(yearly, started_at=NOW - DAY)
    paid(yearly, started_at=NOW - 2 * DAY, status=Status.TRIALING)
    paid(yearly, started_at=NOW - DAY, status=Status.INCOMPLETE_EXPIRED)  # never paid
    paid(yearly, cancel_at_period_end=True, renewal_stopped_at=NOW - DAY)
    paid(yearly, status=Status.CANCELED, ended_at=NOW - DAY)  # a last retry failed
    # Stopped in February, ended in March: February's cancellation, not March's.
    paid(yearly, status=Status.CANCELED, renewal_stopped_at=LAST_MONTH, ended_at=NOW - DAY)
    paid(yearly, status=Status.CANCELED, ended_at=LAST_MONTH)
    assert revenue.new_this_month(every(), now=NOW) == 2
    assert revenue.cancelled_this_month(every(), now=NOW) == 2
    assert revenue.cancelled_this_month(every(), now=LAST_MONTH + 5 * DAY) == 2


def test_past_due_subscriptions_are_listed_longest_unpaid_first(yearly, monthly):
    recent = paid(yearly, status=Status.PAST_DUE, email="recent@example.com")
    older = paid(monthly, status=Status.PAST_DUE, current_period_end=NOW - 3 * DAY)
    Payment.objects.create(
        provider="test", external_id="in_1", subscription=recent, customer=recent.customer,
        status=Payment.Status.FAILED, amount=3200, currency="usd", period_start=NOW - DAY,
    )  # fmt: skip
    paid(yearly)
    rows = list(revenue.past_due(every()))
    assert [(row.pk, row.since) for row in rows] == [
        (older.pk, NOW - 3 * DAY),
        (recent.pk, NOW - DAY),
    ]


def test_refunds_disputes_and_gifts_this_month(reader, yearly):
    subscription = paid(yearly)
    refunds = [(NOW - DAY, 3200, "usd"), (NOW - 2 * DAY, 400, "usd"), (NOW - DAY, 1200, "eur"),
               (LAST_MONTH, 9900, "usd"), (None, 0, "usd")]  # fmt: skip
    for n, (refunded_at, amount, currency) in enumerate(refunds):
        Payment.objects.create(
            provider="test", external_id=f"in_{n}", customer=subscription.customer,
            status=Payment.Status.PAID, amount=amount or 100, amount_refunded=amount,
            currency=currency, refunded_at=refunded_at,
        )  # fmt: skip
    disputes = [("e1", "dp_1", NOW - DAY), ("e2", "dp_1", NOW), ("e3", "dp_2", NOW),
                ("e4", "dp_3", LAST_MONTH)]  # fmt: skip
    for event_id, object_id, received in disputes:
        WebhookEvent.objects.create(provider="stripe", event_id=event_id, object_id=object_id,
                                    type="charge.dispute.created", payload={},
                                    received_at=received)  # fmt: skip
    gift = {"buyer": reader, "price": yearly, "recipient_email": "f@example.com",
            "deliver_on": NOW.date(), "expires_at": NOW + 300 * DAY}  # fmt: skip
    GiftSubscription.objects.create(**gift, paid_at=NOW - DAY)
    GiftSubscription.objects.create(**gift, paid_at=LAST_MONTH, redeemed_at=NOW - DAY)
    GiftSubscription.objects.create(**gift)  # never paid for
    assert revenue.refunds_this_month(Payment.objects.all(), now=NOW) == {"eur": 1200, "usd": 3600}
    assert revenue.disputes_this_month(WebhookEvent.objects.all(), now=NOW) == 2
    gifts = revenue.gifts_this_month(GiftSubscription.objects.all(), now=NOW)
    assert gifts == {"sold": 1, "redeemed": 1, "waiting": 1}


@time_machine.travel(NOW, tick=False)
def test_a_reader_cancelling_counts_this_month_and_resuming_takes_it_back(reader, monthly):
    at = TestProvider()
    with TestCase.captureOnCommitCallbacks(execute=True):
        at.pay(start_checkout(at, user=reader, price=monthly).external_id, succeed=True)
    subscription = PaidSubscription.objects.get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        account.cancel(subscription, reason="Too expensive")
    assert revenue.cancelled_this_month(every(), now=NOW) == 1
    assert revenue.monthly_recurring_revenue(every()) == {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        account.resume(subscription)
    assert revenue.cancelled_this_month(every(), now=NOW) == 0
    assert revenue.monthly_recurring_revenue(every()) == {"usd": 400}


# The page, its export, and who may see them ----------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_user("boss@example.com", is_staff=True, is_superuser=True))
    return client


def test_the_page_shows_the_months_figures_and_who_is_past_due(staff_client, yearly, monthly):
    paid(yearly, started_at=NOW - DAY)
    paid(monthly, status=Status.PAST_DUE, email="late@example.com",
         user={"display_name": "Lou Late"}, current_period_end=NOW - 2 * DAY)  # fmt: skip
    with time_machine.travel(NOW):
        staff_client.force_login(make_user(is_staff=True, is_superuser=True))
        html = staff_client.get(PAGE).content.decode()
    staff_client.force_login(make_user(is_staff=True, is_superuser=True))  # back in December
    assert "March 2026, to today" in html
    assert "<td>$6.67</td>" in html  # $32 / 12 + $4
    assert "late@example.com</a> (Lou Late)" in html and "13 Mar 2026" in html
    assert "Homestead Almanac</th><td>2</td>" in html
    billing = staff_client.get(reverse("admin:app_list", args=["billing"])).content.decode()
    assert f'href="{PAGE}"' in billing and f'href="{EXPORT}"' not in billing


def test_the_page_costs_the_same_queries_for_three_subscribers_or_thirty(
    staff_client, yearly, bundle_yearly, django_assert_max_num_queries
):
    def queries_with(count):
        for _ in range(count):
            paid(yearly, status=Status.PAST_DUE)
            paid(bundle_yearly)
        staff_client.get(PAGE)  # the session and the user, cached as on any admin page
        with django_assert_max_num_queries(10) as captured:
            assert staff_client.get(PAGE).status_code == HTTPStatus.OK
        return len(captured)

    assert queries_with(3) == queries_with(27)


def export(client):
    response = client.get(EXPORT)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_has_a_row_per_subscriber_safe_to_open_in_a_spreadsheet(
    staff_client, yearly, monthly
):
    paid(yearly, email="rosa@example.com", user={"display_name": "Rosa Reader"},
         current_period_end=datetime(2027, 2, 10, tzinfo=ZoneInfo("UTC")))  # fmt: skip
    paid(monthly, email="eve@example.com", user={"display_name": '=HYPERLINK("http://x")'},
         started_at=NOW, cancel_at_period_end=True, current_period_end=NOW + 20 * DAY)  # fmt: skip
    paid(monthly, status=Status.INCOMPLETE_EXPIRED)  # never paid: not a subscriber
    rows = export(staff_client)
    assert rows[0] == ["Email", "Name", "Plan", "Price", "Currency", "Interval", "Status",
                       "Started", "Renews on", "Ends on", "Provider"]  # fmt: skip
    assert rows[1:] == [
        ["rosa@example.com", "Rosa Reader", "Homestead Almanac subscription", "32.00", "USD",
         "Yearly", "Active", "2026-02-10", "2027-02-10", "", "test"],
        ["eve@example.com", "'=HYPERLINK(\"http://x\")", "Homestead Almanac subscription",
         "4.00", "USD", "Monthly", "Active", "2026-03-15", "", "2026-04-04", "test"],
    ]  # fmt: skip


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_only_staff_who_may_see_billing_get_the_page_and_export(db, client, url):
    client.force_login(make_user())  # a reader
    assert client.get(url).status_code == HTTPStatus.FOUND  # to the admin's login
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_paidsubscription"))
    client.force_login(clerk)
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    clerk.user_permissions.add(Permission.objects.get(codename="view_payment"))
    assert client.get(url).status_code == HTTPStatus.OK


@pytest.mark.parametrize(("role", "allowed"), [(PUBLISHERS, True), (EDITORS, False)])
def test_publishers_see_the_money_and_editors_do_not(db, client, role, allowed):
    ensure_staff_groups()
    staff = make_user(is_staff=True)
    staff.groups.add(Group.objects.get(name=role))
    client.force_login(staff)
    pages = [PAGE, EXPORT, reverse("admin:billing_record_payment"), PAYMENTS]
    expected = HTTPStatus.OK if allowed else HTTPStatus.FORBIDDEN
    assert {client.get(page).status_code for page in pages} == {expected}
