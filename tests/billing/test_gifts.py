"""Gift subscriptions: bought for someone, emailed on their day with a code, redeemed once."""

import re
from datetime import datetime, time, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from billing import gifts
from billing.models import GiftSubscription, PaidSubscription, Payment, period_end
from billing.providers.test import TestProvider
from paywall.models import Subscription
from tests.billing.helpers import delivered, subscribe_and_pay
from tests.factories import HIDDEN, make_user, subscribe


@pytest.fixture(autouse=True)
def midday():
    """Gifts for "today" go at `gifts.DELIVERY_HOUR`: run these at noon, whatever the hour the
    suite runs at (before that hour, a gift for today would wait)."""
    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    with time_machine.travel(noon, tick=True):
        yield


CODE = re.compile(r"Your gift code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def buy_gift(client, price, *, deliver_on=None, recipient="friend@example.com"):
    form = {
        "price": price.pk,
        "recipient_email": recipient,
        "recipient_name": "Fern",
        "message": "Happy birthday, Fern!",
        "deliver_on": (deliver_on or timezone.localdate()).isoformat(),
    }
    response = client.post("/gift/", form)
    assert response.status_code == HTTPStatus.SEE_OTHER, response.content
    with delivered():
        paid = client.post(response.url, {"outcome": "succeed"})
        return client.get(paid.url)


def codes_sent_to(address):
    sent = [message for message in mail.outbox if message.to == [address]]
    assert sent, [message.subject for message in mail.outbox]
    return [CODE.search(message.body).group(1) for message in sent]


def code_sent_to(address):
    return codes_sent_to(address)[-1]


@pytest.fixture
def buyer(client, reader):
    client.force_login(reader)
    return reader


def test_a_gift_is_paid_emailed_with_its_message_and_redeemed_for_a_year(
    client, buyer, yearly, locked_article
):
    bought = buy_gift(client, yearly)
    assert "We will email friend@example.com on" in bought.content.decode()
    subjects = [message.subject for message in mail.outbox]
    assert "Your receipt: $32 for a gift of Homestead Almanac subscription" in subjects
    assert "Your gift of Homestead Almanac subscription is ready" in subjects
    letter = next(message for message in mail.outbox if message.to == ["friend@example.com"])
    assert letter.subject == "Rosa Reader has given you a year of Homestead Almanac subscription"
    assert "Happy birthday, Fern!" in letter.body
    code = code_sent_to("friend@example.com")
    gift = GiftSubscription.objects.get()
    assert code not in str(GiftSubscription.objects.values().get())  # only its hash is kept

    friend = make_user("friend@example.com")
    client.force_login(friend)
    link = re.search(r"https://magazine\.example(/gift/redeem/\?code=\S+)", letter.body).group(1)
    assert code in client.get(link).content.decode()  # the form comes filled in
    typed = code.lower().replace("-", " ")
    page = client.post("/gift/redeem/", {"code": typed})
    assert "Enjoy your year of Homestead Almanac subscription" in page.content.decode()
    subscription = Subscription.objects.get(user=friend)
    assert subscription.source == Subscription.Source.GIFT
    assert subscription.ends_at - subscription.starts_at >= timedelta(days=365)
    assert HIDDEN in client.get(locked_article.get_absolute_url()).content.decode()

    gift.refresh_from_db()
    assert gift.redeemed_by == friend
    client.force_login(buyer)
    account = client.get("/accounts/").content.decode()
    assert "for friend@example.com:\n      <strong>redeemed</strong>" in account
    assert "Your gift of Homestead Almanac subscription has been redeemed" in [
        message.subject for message in mail.outbox
    ]


def test_an_anonymous_recipient_is_asked_to_log_in_with_the_code_kept(client, buyer, yearly):
    buy_gift(client, yearly)
    code = code_sent_to("friend@example.com")
    client.logout()
    page = client.get(f"/gift/redeem/?code={code}").content.decode()
    assert "Create a free account" in page
    assert f"next=/gift/redeem/%3Fcode%3D{code}" in page
    typed = client.post("/gift/redeem/", {"code": code.lower()})  # typed, not followed
    assert typed.status_code == HTTPStatus.FOUND
    assert typed.url == f"/accounts/login/?next=/gift/redeem/%3Fcode%3D{code.lower()}"
    assert not Subscription.objects.filter(source=Subscription.Source.GIFT).exists()


@pytest.mark.django_db(transaction=True)  # the worker opens connections of its own
def test_a_gift_for_a_later_day_is_emailed_that_morning_by_the_worker(
    client, buyer, yearly, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    day = timezone.localdate() + timedelta(days=10)
    buy_gift(client, yearly, deliver_on=day)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert GiftSubscription.objects.get().paid_at is not None
    assert not [message for message in mail.outbox if message.to == ["friend@example.com"]]
    morning = timezone.make_aware(timezone.datetime.combine(day, time(8, 1)))
    with time_machine.travel(morning - timedelta(hours=1)):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert not [message for message in mail.outbox if message.to == ["friend@example.com"]]
    with time_machine.travel(morning):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        call_command("deliver_gifts", verbosity=0)  # the catch-up finds nothing left to send
    assert len([m for m in mail.outbox if m.to == ["friend@example.com"]]) == 1


def test_a_code_works_once(client, buyer, yearly):
    buy_gift(client, yearly)
    code = code_sent_to("friend@example.com")
    first, second = make_user(), make_user()
    client.force_login(first)
    client.post("/gift/redeem/", {"code": code})
    page = client.post("/gift/redeem/", {"code": code})
    assert "You have already redeemed this gift" in page.content.decode()
    client.force_login(second)
    page = client.post("/gift/redeem/", {"code": code})
    assert page.status_code == HTTPStatus.BAD_REQUEST
    assert "This gift has already been redeemed" in page.content.decode()
    assert Subscription.objects.filter(source=Subscription.Source.GIFT).count() == 1


def test_an_unredeemed_code_expires_after_a_year(client, buyer, yearly):
    buy_gift(client, yearly)
    code = code_sent_to("friend@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        client.force_login(make_user())
        page = client.post("/gift/redeem/", {"code": code})
    assert "This gift code has expired" in page.content.decode()


def test_a_gift_adds_its_year_after_the_recipients_current_subscription(
    client, buyer, yearly, almanac
):
    buy_gift(client, yearly)
    code = code_sent_to("friend@example.com")
    friend = make_user()
    current = subscribe(friend, almanac, days=100)
    client.force_login(friend)
    page = client.post("/gift/redeem/", {"code": code}).content.decode()
    gift = Subscription.objects.get(user=friend, source=Subscription.Source.GIFT)
    assert gift.starts_at == current.ends_at
    assert f"Your gift year starts on {current.ends_at:%-d %B %Y}" in page


def test_a_gift_to_a_paying_subscriber_moves_their_next_charge_a_year_on(
    client, buyer, yearly, almanac
):
    """Their renewal would otherwise charge them for the very year they were given."""
    buy_gift(client, yearly)
    code = code_sent_to("friend@example.com")
    friend = make_user("friend@example.com")
    client.force_login(friend)
    paid = subscribe_and_pay(client, yearly)
    renewal = paid.current_period_end
    with delivered():
        page = client.post("/gift/redeem/", {"code": code}).content.decode()
    gift = Subscription.objects.get(user=friend, source=Subscription.Source.GIFT)
    assert (gift.starts_at, gift.ends_at) == (renewal, period_end(renewal, "year"))
    paid.refresh_from_db()
    assert (paid.status, paid.trial_end) == (PaidSubscription.Status.TRIALING, gift.ends_at)
    assert f"next payment is on {gift.ends_at:%-d %B %Y}" in page
    assert paid.current_period_end == gift.ends_at  # the next charge, a year later
    assert Payment.objects.filter(customer__user=friend).count() == 1
    with time_machine.travel(gift.ends_at + timedelta(hours=1)), delivered():
        TestProvider().renew(paid.external_id, paid=True)  # the gift year over: it renews
    assert Payment.objects.filter(customer__user=friend).count() == 2


def test_two_gifts_redeemed_one_after_the_other_give_two_years(client, buyer, yearly, almanac):
    buy_gift(client, yearly)
    buy_gift(client, yearly)
    first, second = codes_sent_to("friend@example.com")
    friend = make_user()
    current = subscribe(friend, almanac, days=65)
    client.force_login(friend)
    client.post("/gift/redeem/", {"code": first})
    client.post("/gift/redeem/", {"code": second})
    gifts = Subscription.objects.filter(user=friend, source=Subscription.Source.GIFT)
    years = list(gifts.order_by("starts_at").values_list("starts_at", "ends_at"))
    assert years[0][0] == current.ends_at and years[1][0] == years[0][1]


def test_a_refunded_gift_is_not_sent_and_its_code_stops_working(client, buyer, yearly):
    buy_gift(client, yearly, deliver_on=timezone.localdate() + timedelta(days=3))
    buy_gift(client, yearly)  # sent at once
    code = code_sent_to("friend@example.com")
    provider = TestProvider()
    with delivered():
        for payment in Payment.objects.all():
            provider.refund(payment)
    assert GiftSubscription.objects.filter(refunded_at__isnull=False).count() == 2
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert gifts.due() == []
        call_command("deliver_gifts", verbosity=0)
    assert len(codes_sent_to("friend@example.com")) == 1
    assert "Your refund: $32 for a gift of Homestead Almanac subscription" in [
        message.subject for message in mail.outbox
    ]
    client.force_login(make_user())
    page = client.post("/gift/redeem/", {"code": code}).content.decode()
    assert "This gift was refunded" in page
    assert not Subscription.objects.filter(source=Subscription.Source.GIFT).exists()


def test_redeeming_is_rate_limited(client, reader, settings):
    settings.BILLING_REDEEM_ATTEMPTS_PER_HOUR = 3
    client.force_login(reader)
    wrong = {"code": "ABCD-EFGH-JKMN-PQRS"}
    for _ in range(3):
        page = client.post("/gift/redeem/", wrong)
        assert "not a gift code we know" in page.content.decode()
    page = client.post("/gift/redeem/", wrong)
    assert page.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many tries" in page.content.decode()


def test_a_malformed_code_is_a_clear_error(client, reader):
    client.force_login(reader)
    page = client.post("/gift/redeem/", {"code": "not-a-code-²"})
    assert page.status_code == HTTPStatus.BAD_REQUEST
    assert "A gift code has 16 letters and digits" in page.content.decode()


def test_codes_have_80_random_bits_and_read_back_however_typed():
    codes = {gifts.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        plain = code.replace("-", "")
        assert len(plain) == 16 and set(plain) <= set(gifts.ALPHABET)
        assert gifts.normalised(code.lower()) == plain
    assert len(gifts.ALPHABET) ** gifts.CODE_LENGTH >= 2**80
    assert gifts.normalised("oooo-iiii-llll-0000") == "0000111111110000"
    assert gifts.normalised("UUUU-0000-0000-0000") is None  # U is never issued


def test_the_gift_form_refuses_a_past_day_and_keeps_what_was_typed(client, reader, yearly):
    client.force_login(reader)
    response = client.post(
        "/gift/",
        {
            "price": yearly.pk,
            "recipient_email": "friend@example.com",
            "message": "Enjoy it",
            "deliver_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "That day has passed" in html and "Enjoy it" in html
    assert not GiftSubscription.objects.exists()


def test_an_anonymous_buyer_is_asked_to_log_in_before_typing_anything(client, yearly):
    for response in (client.get("/gift/"), client.post("/gift/", {"price": yearly.pk})):
        assert response.status_code == HTTPStatus.FOUND
        assert response.url == "/accounts/login/?next=/gift/"
