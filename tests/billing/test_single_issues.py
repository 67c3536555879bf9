"""One issue's digital edition, bought on its own: offered on the issue's page to readers who
cannot read it, paid once through the provider's checkout, then read as a subscriber reads it —
and taken back by a refund in full."""

from datetime import date, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core import mail
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.utils import timezone

from billing.models import CheckoutAttempt, EditionOrder, Payment, SingleIssuePrice
from billing.providers.test import TestProvider
from magazine.now import start_of_day
from paywall.models import EditionAccess
from tests.billing.helpers import delivered
from tests.billing.test_stripe_provider import local
from tests.factories import HIDDEN, make_article, make_issue, make_staff, make_user, subscribe

PDF = b"%PDF-1.4\n% the printed pages of one issue\n%%EOF\n"


def with_edition(issue):
    issue.edition.save("upload.pdf", ContentFile(PDF))
    return issue


@pytest.fixture
def spring(almanac):
    """An issue of last March, with its PDF."""
    cover = date(timezone.localdate().year - 1, 3, 1)
    return with_edition(make_issue(almanac, volume=11, number=2, cover_date=cover))


@pytest.fixture
def on_sale(almanac):
    return SingleIssuePrice.objects.create(publication=almanac, amount=450)


@pytest.fixture
def buyer(client, reader):
    client.force_login(reader)
    return reader


def page(client, issue):
    return client.get(issue.get_absolute_url()).content.decode()


def edition(issue):
    return f"/editions/{issue.edition_key}/"


def buy(client, issue):
    """Press "Buy this issue alone": the address of the checkout it opens."""
    response = client.post(f"/billing/issues/{issue.edition_key}/buy/")
    assert response.status_code == HTTPStatus.SEE_OTHER, response.content
    return response.url


def buy_and_pay(client, issue):
    """Buy `issue` and pay at the test provider's checkout: the page the reader returns to."""
    with delivered():
        paid = client.post(buy(client, issue), {"outcome": "succeed"})
        return client.get(paid.url)


def test_a_reader_without_a_subscription_buys_one_back_issue_and_reads_it(
    client, buyer, spring, on_sale
):
    assert "Buy this issue alone: $4.50" in page(client, spring)
    assert client.get(edition(spring)).status_code == HTTPStatus.FOUND  # to subscribe

    checkout = client.get(buy(client, spring)).content.decode()
    assert "Homestead Almanac, Vol. 11, No. 2 (digital edition)" in checkout
    assert "Pay $4.50" in checkout
    with delivered():
        paid = client.post(buy(client, spring), {"outcome": "succeed"})
        thanks = client.get(paid.url).content.decode()
    assert "the issue is yours to read" in thanks and edition(spring) in thanks

    response = client.get(edition(spring))
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PDF
    assert "Buy this issue alone" not in page(client, spring)
    assert "Read this issue" in page(client, spring)

    order = EditionOrder.objects.get()
    assert (order.amount, order.paid_at is not None, order.access.source) == (450, True, "bought")
    assert Payment.objects.get().amount == 450
    assert [message.subject for message in mail.outbox] == [
        "Your receipt: $4.50 for Homestead Almanac, Vol. 11, No. 2 (digital edition)"
    ]
    account = client.get("/accounts/").content.decode()
    assert "Single issues" in account and edition(spring) in account
    assert "Homestead Almanac, Vol. 11, No. 2 (digital edition)</td>" in account  # invoices


def test_one_issue_bought_opens_that_issue_alone(client, buyer, spring, on_sale, almanac):
    later = with_edition(
        make_issue(almanac, volume=11, number=3, cover_date=spring.cover_date + timedelta(90))
    )
    locked = make_article(almanac, access="subscribers", issue=spring)
    buy_and_pay(client, spring)
    assert client.get(edition(later)).status_code == HTTPStatus.FOUND
    assert "Buy this issue alone: $4.50" in page(client, later)
    # The printed pages, not a subscription to the articles online.
    assert HIDDEN not in client.get(locked.get_absolute_url()).content.decode()


def test_a_visitor_logs_in_first_and_comes_back_to_the_issue(client, spring, on_sale):
    assert "Buy this issue alone: $4.50" in page(client, spring)
    response = client.post(f"/billing/issues/{spring.edition_key}/buy/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/accounts/login/?next={spring.get_absolute_url()}"
    assert not CheckoutAttempt.objects.exists()


def test_a_reader_who_can_read_it_is_offered_nothing_and_charged_nothing(
    client, buyer, spring, on_sale, almanac
):
    subscribe(buyer, almanac, starts_at=start_of_day(spring.cover_date) - timedelta(days=1))
    assert "Buy this issue alone" not in page(client, spring)
    response = client.post(f"/billing/issues/{spring.edition_key}/buy/")
    assert response.status_code == HTTPStatus.SEE_OTHER and response.url == edition(spring)
    assert not CheckoutAttempt.objects.exists()


def test_a_double_click_opens_one_checkout_and_paying_twice_pays_once(
    client, buyer, spring, on_sale
):
    first, second = buy(client, spring), buy(client, spring)
    assert first == second
    with delivered():
        client.post(first, {"outcome": "succeed"})
        client.post(second, {"outcome": "succeed"})
    assert Payment.objects.count() == 1 and EditionAccess.objects.count() == 1
    # Bought meanwhile in another tab: the button takes the reader to the issue, not to pay.
    assert client.post(f"/billing/issues/{spring.edition_key}/buy/").url == edition(spring)


def test_a_declined_card_or_a_checkout_left_gives_nothing(client, buyer, spring, on_sale):
    url = buy(client, spring)
    declined = client.post(url, {"outcome": "decline"})
    assert declined.status_code == HTTPStatus.PAYMENT_REQUIRED
    assert "Nothing was charged" in declined.content.decode()
    attempt = CheckoutAttempt.objects.get()
    left = client.get(f"/billing/cancelled/?attempt={attempt.pk}").content.decode()
    assert "nothing was charged" in left
    assert client.get(edition(spring)).status_code == HTTPStatus.FOUND
    assert not EditionAccess.objects.exists() and not Payment.objects.exists()


def test_the_price_is_what_it_was_when_the_checkout_opened(client, buyer, spring, on_sale):
    url = buy(client, spring)
    on_sale.amount = 600
    on_sale.save()
    with delivered():
        client.post(url, {"outcome": "succeed"})
    assert Payment.objects.get().amount == 450
    assert "Buy this issue alone" not in page(client, spring)
    other = make_user("other@example.com")
    client.force_login(other)
    assert "Buy this issue alone: $6" in page(client, spring)


@pytest.mark.parametrize(
    "unsold",
    ["no price", "price off sale", "not out yet", "no edition", "paid by cheque here"],
)
def test_an_issue_not_sold_alone_shows_no_button_and_charges_nothing(
    client, buyer, spring, on_sale, almanac, settings, unsold
):
    issue = spring
    if unsold == "no price":
        on_sale.delete()
    elif unsold == "price off sale":
        on_sale.active = False
        on_sale.save()
    elif unsold == "not out yet":
        cover = timezone.localdate() + timedelta(days=20)
        issue = with_edition(make_issue(almanac, volume=13, number=1, cover_date=cover))
    elif unsold == "no edition":
        issue.edition.delete()
        issue.save()
    else:
        settings.BILLING_PROVIDER = "manual"
    assert "Buy this issue alone" not in page(client, issue)
    response = client.post(f"/billing/issues/{issue.edition_key}/buy/")
    expected = HTTPStatus.NOT_FOUND if unsold == "no edition" else HTTPStatus.CONFLICT
    assert response.status_code == expected
    assert not CheckoutAttempt.objects.exists()


def test_buying_is_a_post_by_the_issues_random_key(client, buyer, spring, on_sale):
    assert client.get(f"/billing/issues/{spring.edition_key}/buy/").status_code == 405
    assert client.post(f"/billing/issues/{spring.pk}/buy/").status_code == 404
    assert client.post("/billing/issues/00000000-0000-4000-8000-000000000000/buy/").status_code == (
        404
    )


def test_a_refund_in_full_takes_the_issue_back(client, buyer, spring, on_sale):
    buy_and_pay(client, spring)
    assert client.get(edition(spring)).status_code == HTTPStatus.OK  # and its reader cached
    with delivered():
        TestProvider().refund(Payment.objects.get())
    assert client.get(edition(spring)).status_code == HTTPStatus.FOUND
    assert EditionOrder.objects.get().refunded_at is not None
    assert EditionAccess.objects.get().revoked_at is not None
    assert "Your refund: $4.50 for Homestead Almanac, Vol. 11, No. 2 (digital edition)" in [
        message.subject for message in mail.outbox
    ]
    assert "Buy this issue alone: $4.50" in page(client, spring)  # it may be bought again
    buy_and_pay(client, spring)
    assert client.get(edition(spring)).status_code == HTTPStatus.OK


def test_staff_give_an_issue_and_revoke_it(client, reader, spring):
    given = EditionAccess.objects.create(user=reader, issue=spring, note="Lost in the post")
    client.force_login(reader)
    assert client.get(edition(spring)).status_code == HTTPStatus.OK
    admin = site._registry[EditionAccess]
    request = RequestFactory().post("/")
    request.user = make_staff("Publishers")
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    admin.revoke(request, EditionAccess.objects.filter(pk=given.pk))
    assert client.get(edition(spring)).status_code == HTTPStatus.FOUND


def test_a_single_issue_at_stripe_checkout_is_a_one_time_payment(
    client, buyer, spring, on_sale, fake_stripe
):
    url = buy(client, spring)
    assert url.startswith(f"{fake_stripe.url}/_config/fake/checkout/cs_test_")
    session = fake_stripe.client.v1.checkout.sessions.retrieve(
        CheckoutAttempt.objects.get().external_id
    )
    assert session.mode == "payment"
    _, back = fake_stripe.pay(url)
    thanks = client.get(local(back)).content.decode()
    assert "the issue is yours to read" in thanks
    assert client.get(edition(spring)).status_code == HTTPStatus.OK
    payment = Payment.objects.get()
    assert (payment.amount, payment.currency, payment.subscription) == (450, "usd", None)


def test_an_older_checkout_is_closed_when_another_opens_so_one_issue_is_paid_once(
    client, buyer, spring, on_sale
):
    first = buy(client, spring)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        second = buy(client, spring)  # past the hour: a new checkout, the old one closed
        assert second != first
        refused = client.post(first, {"outcome": "succeed"})
        assert refused.status_code == HTTPStatus.PAYMENT_REQUIRED
        assert "replaced by a newer choice" in refused.content.decode()
        with delivered():
            client.post(second, {"outcome": "succeed"})
    assert Payment.objects.count() == 1


def test_an_older_checkout_paid_meanwhile_is_confirmed_not_paid_again(
    client, buyer, spring, on_sale
):
    first = buy(client, spring)
    on_sale.amount = 500  # a new price: the next press opens a new checkout
    on_sale.save()
    session = first.rstrip("/").rsplit("/", 1)[-1]
    TestProvider().pay(session, succeed=True)  # paid in the other tab; its events not here yet
    response = client.post(f"/billing/issues/{spring.edition_key}/buy/")
    assert response.status_code == HTTPStatus.SEE_OTHER
    attempt = CheckoutAttempt.objects.get()  # no second checkout opened
    assert response.url == f"/billing/return/?attempt={attempt.pk}"
    with delivered():
        assert "the issue is yours to read" in client.get(response.url).content.decode()
    assert Payment.objects.get().amount == 450


def test_the_test_checkout_refuses_an_issue_the_reader_can_already_read(
    client, buyer, spring, on_sale, almanac
):
    url = buy(client, spring)
    subscribe(buyer, almanac, starts_at=start_of_day(spring.cover_date))  # comped meanwhile
    refused = client.post(url, {"outcome": "succeed"})
    assert refused.status_code == HTTPStatus.PAYMENT_REQUIRED
    assert "You can already read this issue" in refused.content.decode()
    assert not Payment.objects.exists()


def test_an_issue_staff_gave_while_the_payment_went_through_becomes_bought(
    client, buyer, spring, on_sale
):
    url = buy(client, spring)
    given = EditionAccess.objects.create(user=buyer, issue=spring, note="Payment looked stuck")
    # Stripe's checkout cannot know: the payment goes through all the same.
    session = url.rstrip("/").rsplit("/", 1)[-1]
    provider = TestProvider()
    data = provider.record(session).data
    with delivered():
        invoice = provider.charge_once(
            data["customer"], 450, "usd", attempt_id=data["attempt_id"], method="Visa"
        )
        provider.change(session, status="complete", invoice=invoice.external_id)
        provider.emit("checkout.session.completed", session)
    given.refresh_from_db()
    assert (
        given.source == EditionAccess.Source.BOUGHT and EditionOrder.objects.get().access == given
    )
    staff = make_staff("Publishers")
    client.force_login(staff)
    page = client.post(
        "/admin/paywall/editionaccess/",
        {"action": "revoke", "_selected_action": [given.pk]},
        follow=True,
    ).content.decode()
    assert "1 bought edition(s) left alone: refund the payment" in page
    given.refresh_from_db()
    assert given.revoked_at is None


def test_a_revoked_edition_stays_revoked_in_the_admin(client, reader, spring):
    given = EditionAccess.objects.create(user=reader, issue=spring, revoked_at=timezone.now())
    EditionAccess.objects.create(user=reader, issue=spring)
    client.force_login(make_staff("Publishers"))
    form = client.get(f"/admin/paywall/editionaccess/{given.pk}/change/").content.decode()
    assert 'name="revoked_at' not in form  # a revocation is final: give another instead


def test_a_second_payment_for_an_issue_held_is_flagged_to_staff(client, buyer, spring, on_sale):
    buy_and_pay(client, spring)
    order = EditionOrder.objects.get()
    # The same issue paid again (Stripe cannot refuse it): the reader keeps it, staff refund.
    attempt = CheckoutAttempt.objects.create(
        user=buyer, kind=CheckoutAttempt.Kind.EDITION, provider="test"
    )
    EditionOrder.objects.create(
        buyer=buyer, issue=spring, amount=450, currency="usd", checkout=attempt
    )
    provider = TestProvider()
    with delivered():
        provider.charge_once(
            provider.record(order.payment.customer.external_id).external_id, 450, "usd",
            attempt_id=str(attempt.pk), method="Visa",
        )  # fmt: skip
    assert any(
        message.subject.startswith("Refund a second payment for Homestead Almanac")
        for message in mail.outbox
    )
    assert EditionAccess.objects.filter(revoked_at=None).count() == 1
