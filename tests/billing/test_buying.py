"""Buying a subscription with the test provider: the subscribe page, checkout, paying, the
return, and never paying twice."""

from http import HTTPStatus

from django.core import mail
from django.test import TestCase

from billing.models import CheckoutAttempt, PaidSubscription, Payment
from billing.providers.test import TestProvider
from paywall.models import Subscription
from tests.factories import HIDDEN, PASSWORD, make_user, subscribe


def test_the_subscribe_page_lists_the_plans_and_bundles_with_what_they_give(
    client, almanac, yearly, monthly, bundle_yearly
):
    html = client.get("/almanac/subscribe/").content.decode()
    assert "Subscribe to Homestead Almanac" in html
    assert "$32 a year" in html and "$4 a month" in html
    assert "All three titles" in html and "$60 a year" in html
    assert "4 printed issues a year of Homestead Almanac" in html
    assert html.index("$32 a year") < html.index("All three titles")  # its own plan first


def test_the_paywall_subscribe_button_leads_to_the_subscribe_page(client, locked_article, yearly):
    html = client.get(locked_article.get_absolute_url()).content.decode()
    assert "/almanac/subscribe/?next=%2Falmanac%2Fseed-saving%2F" in html


def test_an_anonymous_choice_asks_to_log_in_and_comes_back_to_it(client, yearly, reader):
    response = client.post("/billing/checkout/", {"price": yearly.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/accounts/login/?next=")
    client.login(email="reader@example.com", password=PASSWORD)
    back = client.get(f"/almanac/subscribe/?price={yearly.pk}")
    assert "Your choice: Homestead Almanac subscription, $32 a year" in back.content.decode()
    assert "Continue to payment" in back.content.decode()


def pay(client, price, *, next_path="", outcome="succeed"):
    """Choose `price` and pay for it; the provider's events arrive once the payment is made."""
    response = client.post("/billing/checkout/", {"price": price.pk, "next": next_path})
    assert response.status_code == HTTPStatus.SEE_OTHER, response.content
    with TestCase.captureOnCommitCallbacks(execute=True):
        paid = client.post(response.url, {"outcome": outcome})
    return response, paid


def test_paying_lands_on_a_welcome_page_and_the_article_reads_whole(
    client, reader, yearly, locked_article
):
    client.force_login(reader)
    assert HIDDEN not in client.get(locked_article.get_absolute_url()).content.decode()
    _, paid = pay(client, yearly, next_path=locked_article.get_absolute_url())
    welcome = client.get(paid.url)
    html = welcome.content.decode()
    assert "Welcome, and thank you" in html
    assert 'href="/almanac/seed-saving/"' in html
    assert HIDDEN in client.get(locked_article.get_absolute_url()).content.decode()
    entitlement = Subscription.objects.get(user=reader)
    assert entitlement.source == Subscription.Source.PAID
    payment = Payment.objects.get()
    assert (payment.amount, payment.status) == (3200, Payment.Status.PAID)
    assert entitlement.ends_at == payment.period_end


def test_a_declined_card_changes_nothing_and_may_try_again(client, reader, yearly):
    client.force_login(reader)
    checkout, declined = pay(client, yearly, outcome="decline")
    assert declined.status_code == HTTPStatus.PAYMENT_REQUIRED
    assert "Your card was declined" in declined.content.decode()
    assert not PaidSubscription.objects.exists() and not Subscription.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(checkout.url, {"outcome": "succeed"})
    assert again.status_code == HTTPStatus.SEE_OTHER
    assert Subscription.objects.filter(user=reader).count() == 1


def test_a_double_click_goes_to_the_same_checkout_and_pays_once(client, reader, yearly):
    client.force_login(reader)
    first = client.post("/billing/checkout/", {"price": yearly.pk})
    second = client.post("/billing/checkout/", {"price": yearly.pk})
    assert first.url == second.url
    assert CheckoutAttempt.objects.count() == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(first.url, {"outcome": "succeed"})
        client.post(second.url, {"outcome": "succeed"})  # the second tab pays too: no effect
    assert PaidSubscription.objects.count() == 1 and Payment.objects.count() == 1


def test_two_tabs_with_two_prices_leave_only_the_latest_payable(client, reader, monthly, yearly):
    client.force_login(reader)
    first = client.post("/billing/checkout/", {"price": monthly.pk}).url
    latest = client.post("/billing/checkout/", {"price": yearly.pk}).url
    with TestCase.captureOnCommitCallbacks(execute=True):
        stale = client.post(first, {"outcome": "succeed"})
        assert stale.status_code == HTTPStatus.PAYMENT_REQUIRED
        assert "replaced by a newer choice: nothing was charged" in stale.content.decode()
        client.post(latest, {"outcome": "succeed"})
    assert PaidSubscription.objects.get().price == yearly
    assert Payment.objects.count() == 1


def test_a_second_tab_after_paying_in_the_first_lands_on_that_payment_not_a_new_one(
    client, reader, monthly, yearly, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    first = client.post("/billing/checkout/", {"price": monthly.pk}).url
    with django_capture_on_commit_callbacks(execute=False):  # paid; nothing synced yet
        client.post(first, {"outcome": "succeed"})
    second = client.post("/billing/checkout/", {"price": yearly.pk})
    assert second.status_code == HTTPStatus.SEE_OTHER
    assert second.url.startswith("/billing/return/?attempt=")
    assert "Welcome, and thank you" in client.get(second.url).content.decode()
    assert PaidSubscription.objects.get().price == monthly
    assert not CheckoutAttempt.objects.filter(price=yearly).exists()


def test_a_checkout_left_open_is_not_paid_once_the_reader_subscribes_another_way(
    client, reader, almanac, yearly
):
    client.force_login(reader)
    url = client.post("/billing/checkout/", {"price": yearly.pk}).url
    subscribe(reader, almanac)  # a comp from staff, a redeemed gift…
    refused = client.post(url, {"outcome": "succeed"})
    assert "You already subscribe to all of this: nothing was charged" in refused.content.decode()
    assert not PaidSubscription.objects.exists()


def test_a_subscriber_is_told_so_and_not_charged_again(client, reader, almanac, yearly):
    subscribe(reader, almanac)
    client.force_login(reader)
    response = client.post("/billing/checkout/", {"price": yearly.pk})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "You already subscribe" in response.content.decode()
    assert not CheckoutAttempt.objects.exists()


def test_a_bundle_is_offered_to_a_subscriber_of_one_of_its_titles(
    client, reader, almanac, bundle_yearly
):
    subscribe(reader, almanac)
    client.force_login(reader)
    response = client.post("/billing/checkout/", {"price": bundle_yearly.pk})
    assert response.status_code == HTTPStatus.SEE_OTHER


def test_the_return_page_and_the_event_racing_make_one_subscription(
    client, reader, yearly, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    checkout = client.post("/billing/checkout/", {"price": yearly.pk})
    with django_capture_on_commit_callbacks(execute=False) as events:  # events held back
        paid = client.post(checkout.url, {"outcome": "succeed"})
    assert events  # the provider's events, held back
    with django_capture_on_commit_callbacks(execute=True):
        client.get(paid.url)  # the return syncs first
        for deliver in events:
            deliver()  # then every event arrives
        client.get(paid.url)  # and the reader reloads
    assert PaidSubscription.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Subscription.objects.count() == 1
    receipts = [m for m in mail.outbox if m.subject.startswith("Your receipt")]
    assert len(receipts) == 1


def test_the_test_provider_refuses_to_show_anothers_checkout(client, reader, yearly):
    client.force_login(reader)
    checkout = client.post("/billing/checkout/", {"price": yearly.pk})
    client.force_login(make_user())
    assert client.get(checkout.url).status_code == HTTPStatus.NOT_FOUND
    assert client.post(checkout.url, {"outcome": "succeed"}).status_code == HTTPStatus.NOT_FOUND
    assert not TestProvider().records("subscription").exists()


def test_the_test_checkout_shows_checkouts_only(client, reader, yearly):
    client.force_login(reader)
    client.post("/billing/checkout/", {"price": yearly.pk})
    customer = TestProvider().records("customer").get()  # the reader's own, but not a checkout
    response = client.get(f"/billing/test/checkout/{customer.external_id}/")
    assert response.status_code == HTTPStatus.NOT_FOUND
