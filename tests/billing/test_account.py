"""The reader's billing in "My account": what it says, and the changes they make themselves."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from billing.models import PaidSubscription, Payment, Price
from billing.providers.test import TestProvider
from paywall.models import Subscription
from tests.billing.helpers import delivered, subscribe_and_pay
from tests.factories import HIDDEN, make_user

Status = PaidSubscription.Status


@pytest.fixture
def subscriber(client, reader, yearly):
    client.force_login(reader)
    return subscribe_and_pay(client, yearly)


def billing_section(client):
    html = client.get("/accounts/").content.decode()
    return html[html.index('id="billing"') :]


def reads_whole(client, article):
    """Whether the reader of `client` (logged in afresh: time may have passed their session's
    life) reads `article` whole now."""
    client.force_login(PaidSubscription.objects.get().customer.user)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Seed saving" in html
    return HIDDEN in html


def subjects():
    return [message.subject for message in mail.outbox]


def test_the_account_shows_plan_price_renewal_card_and_receipt(client, subscriber):
    section = billing_section(client)
    renews = subscriber.current_period_end
    assert "Homestead Almanac subscription" in section
    assert "$32 a year" in section and "Visa ending 4242" in section
    assert f"Renews on <strong>{renews:%-d %B %Y}</strong>" in section
    assert "$32" in section and "Paid" in section  # the receipt's row


def test_cancelling_keeps_access_to_the_end_of_the_period_and_says_until_when(
    client, subscriber, locked_article
):
    ends = subscriber.current_period_end
    page = client.get(f"/billing/subscriptions/{subscriber.pk}/cancel/")
    assert "You keep reading until" in page.content.decode()
    with delivered():
        response = client.post(
            f"/billing/subscriptions/{subscriber.pk}/cancel/",
            {"reason": "Too expensive", "detail": "Money is tight this year."},
            follow=True,
        )
    assert f"You keep reading until {ends:%-d %B %Y}" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.cancel_at_period_end
    assert subscriber.cancel_reason == "Too expensive: Money is tight this year."
    assert "Cancelled: it will not renew" in billing_section(client)
    assert reads_whole(client, locked_article)
    assert subjects().count("Cancelled: Homestead Almanac subscription will not renew") == 1

    with time_machine.travel(ends + timedelta(hours=1)), delivered():
        TestProvider().renew(subscriber.external_id, paid=True)  # the period ends: no charge
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CANCELED
    assert Payment.objects.count() == 1
    with time_machine.travel(ends - timedelta(minutes=1)):
        assert reads_whole(client, locked_article)
    with time_machine.travel(ends + timedelta(hours=2)):
        assert not reads_whole(client, locked_article)
    assert subjects().count("Homestead Almanac subscription has ended") == 1


def test_resuming_before_the_end_renews_again(client, subscriber):
    with delivered():
        client.post(f"/billing/subscriptions/{subscriber.pk}/cancel/", {})
        response = client.post(f"/billing/subscriptions/{subscriber.pk}/resume/", follow=True)
    assert "Welcome back" in response.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.cancel_at_period_end
    with time_machine.travel(subscriber.current_period_end + timedelta(hours=1)), delivered():
        TestProvider().renew(subscriber.external_id, paid=True)
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == 2


def test_switching_to_monthly_charges_the_monthly_price_from_the_next_renewal(
    client, subscriber, monthly
):
    assert "Switch to monthly ($4 a month)" in billing_section(client)
    with delivered():
        client.post(f"/billing/subscriptions/{subscriber.pk}/switch/", {"price": monthly.pk})
    subscriber.refresh_from_db()
    assert (subscriber.price.interval, subscriber.renewal_price) == ("year", monthly)
    assert f"Renews on {subscriber.current_period_end:%-d %B %Y} at $4 a month" in billing_section(
        client
    )
    assert Payment.objects.count() == 1  # nothing charged now
    with time_machine.travel(subscriber.current_period_end + timedelta(hours=1)), delivered():
        TestProvider().renew(subscriber.external_id, paid=True)
    subscriber.refresh_from_db()
    assert (subscriber.price, subscriber.next_price) == (monthly, None)
    assert Payment.objects.latest("created_at").amount == 400


def test_switching_to_another_plans_price_is_refused(client, subscriber, bundle_yearly):
    response = client.post(
        f"/billing/subscriptions/{subscriber.pk}/switch/", {"price": bundle_yearly.pk}, follow=True
    )
    assert "cannot be switched to" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.price.plan != bundle_yearly.plan


def test_an_ended_subscription_is_not_resumed_nor_switched(client, subscriber, monthly):
    with delivered():
        TestProvider().end(subscriber.external_id)  # e.g. the last retry failed meanwhile
    for action, data in (("resume", {}), ("switch", {"price": monthly.pk})):
        answer = client.post(f"/billing/subscriptions/{subscriber.pk}/{action}/", data, follow=True)
        assert "renews" not in answer.content.decode().split('id="billing"')[0]
    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.price.interval) == (Status.CANCELED, "year")
    assert "Resume subscription" not in billing_section(client)


def test_a_past_due_subscription_is_paid_before_it_is_switched(client, subscriber, monthly):
    with time_machine.travel(subscriber.current_period_end + timedelta(hours=1)):
        with delivered():
            TestProvider().renew(subscriber.external_id, paid=False)
        client.force_login(subscriber.customer.user)  # a year on: logged in afresh
        assert "Switch to monthly" not in billing_section(client)
        client.post(f"/billing/subscriptions/{subscriber.pk}/switch/", {"price": monthly.pk})
    subscriber.refresh_from_db()
    assert subscriber.price.interval == "year"


def test_keeping_an_archived_price_after_choosing_to_switch_is_allowed(
    client, subscriber, yearly, monthly
):
    with delivered():
        client.post(f"/billing/subscriptions/{subscriber.pk}/switch/", {"price": monthly.pk})
    Price.objects.filter(pk=yearly.pk).update(active=False)  # no longer sold to new readers
    assert "Keep $32 a year instead" in billing_section(client)
    with delivered():
        client.post(f"/billing/subscriptions/{subscriber.pk}/switch/", {"price": yearly.pk})
    subscriber.refresh_from_db()
    assert (subscriber.price, subscriber.next_price) == (yearly, None)


def test_resuming_after_a_gift_was_redeemed_renews_after_the_gift_year(client, subscriber, yearly):
    from billing import gifts
    from billing.models import GiftSubscription

    reader, paid_until = subscriber.customer.user, subscriber.current_period_end
    with delivered():
        client.post(f"/billing/subscriptions/{subscriber.pk}/cancel/", {"reason": ""})
    code = gifts.new_code()
    GiftSubscription.objects.create(
        buyer=make_user(), price=yearly, recipient_email=reader.email,
        deliver_on=timezone.localdate(), paid_at=timezone.now(), delivered_at=timezone.now(),
        code_hash=gifts.code_hash(gifts.normalised(code)),
    )  # fmt: skip
    with delivered():
        client.post("/gift/redeem/", {"code": code})  # cancelled: nothing to defer yet
        client.post(f"/billing/subscriptions/{subscriber.pk}/resume/")
    gift = Subscription.objects.get(user=reader, source=Subscription.Source.GIFT)
    subscriber.refresh_from_db()
    assert gift.starts_at == paid_until  # the gift follows the paid year…
    assert (subscriber.status, subscriber.trial_end) == (Status.TRIALING, gift.ends_at)  # …then
    assert Payment.objects.filter(customer__user=reader).count() == 1  # the next charge
    section = billing_section(client)
    assert f"your next payment is on <strong>{gift.ends_at:%-d %B %Y}</strong>" in section
    assert "Switch to" not in section  # not during the gift year


def test_updating_the_card_goes_through_the_portal(client, subscriber):
    portal = client.post("/billing/portal/")
    assert portal.status_code == HTTPStatus.SEE_OTHER
    assert "Visa ending 4242" in client.get(portal.url).content.decode()
    with delivered():
        client.post(portal.url)
    assert "Mastercard ending 4444" in billing_section(client)


def test_a_reader_cannot_touch_another_readers_subscription(client, subscriber):
    client.force_login(make_user())
    for action in ("cancel", "resume", "switch"):
        response = client.post(f"/billing/subscriptions/{subscriber.pk}/{action}/", {})
        assert response.status_code == HTTPStatus.NOT_FOUND
    subscriber.refresh_from_db()
    assert not subscriber.cancel_at_period_end


def test_a_failed_renewal_keeps_access_through_grace_then_the_last_failure_ends_it(
    client, subscriber, locked_article, settings
):
    provider = TestProvider()
    renewal = subscriber.current_period_end + timedelta(hours=1)
    with time_machine.travel(renewal), delivered():
        provider.renew(subscriber.external_id, paid=False)
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PAST_DUE
    assert (
        subjects().count("Your payment for Homestead Almanac subscription did not go through") == 1
    )
    grace = timedelta(days=settings.PAYWALL_GRACE_DAYS)
    with time_machine.travel(renewal + grace - timedelta(days=1)):
        assert reads_whole(client, locked_article)
        assert "Your last payment did not go through" in billing_section(client)
    with time_machine.travel(renewal + timedelta(days=3)), delivered():
        provider.retry(subscriber.external_id, paid=False)
        provider.end(subscriber.external_id)  # the last retry failed
    with time_machine.travel(renewal + timedelta(days=3, hours=1)):
        assert not reads_whole(client, locked_article)
    assert (
        subjects().count("Your payment for Homestead Almanac subscription did not go through") == 2
    )


def test_a_retry_that_succeeds_extends_access_by_the_period(client, subscriber):
    provider = TestProvider()
    first_end = subscriber.current_period_end
    with time_machine.travel(first_end + timedelta(hours=1)), delivered():
        provider.renew(subscriber.external_id, paid=False)
    with time_machine.travel(first_end + timedelta(days=2)), delivered():
        provider.retry(subscriber.external_id, paid=True)
    subscriber.refresh_from_db()
    assert subscriber.status == Status.ACTIVE
    entitlement = Subscription.objects.get(pk=subscriber.entitlement_id)
    assert entitlement.ends_at.year == first_end.year + 1


def test_a_free_trial_gives_access_until_it_ends_then_charges(client, reader, plan):
    price = Price.objects.create(plan=plan, interval="month", amount=400, trial_days=14)
    client.force_login(reader)
    paid = subscribe_and_pay(client, price)
    assert paid.status == Status.TRIALING
    assert not Payment.objects.exists()
    entitlement = Subscription.objects.get(user=reader)
    assert entitlement.ends_at == paid.trial_end
    assert "Free trial until" in billing_section(client)
    with time_machine.travel(paid.trial_end + timedelta(hours=1)), delivered():
        TestProvider().renew(paid.external_id, paid=True)
    entitlement.refresh_from_db()
    assert entitlement.ends_at > paid.trial_end + timedelta(days=27)
    assert Payment.objects.get().amount == 400


def test_emails_are_never_sent_twice_for_one_event(client, subscriber):
    from billing.events import receive
    from billing.models import WebhookEvent

    receipts = subjects().count("Your receipt: $32 for Homestead Almanac subscription")
    assert receipts == 1
    provider = TestProvider()
    assert WebhookEvent.objects.filter(type="invoice.paid").exists()
    for row in WebhookEvent.objects.all():
        row.processed_at = None  # as if every event failed after its work, and came again
        row.save()
        with delivered():
            receive(provider.name, provider.event(row.event_id))
    assert subjects().count("Your receipt: $32 for Homestead Almanac subscription") == 1


def test_the_account_of_a_reader_who_pays_nothing_says_so(client, reader):
    client.force_login(reader)
    assert "You pay for no subscription here" in billing_section(client)
