"""The events of a subscription's whole life — paid at checkout, renewed, a renewal failed then
paid on retry, cancelled, ended — delivered in any order and any number of times, end in the same
rows and the same emails, each sent once: every event is acted on by re-fetching what Stripe holds
now, and "now" is the end of that life while the events arrive."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from billing.models import PaidSubscription
from tests.billing.stripe_objects import a_year_after, sent_to_checkout
from tests.billing.stripe_support import deliver, rolled_back, rows, scrambled

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
T1 = a_year_after(T0)
T2 = a_year_after(T1)
T3 = a_year_after(T2)


@pytest.fixture
def account(stripe_stub, reader, yearly):
    return sent_to_checkout(stripe_stub, reader, yearly)


def life(account):
    """The steps of the life, in order: each changes what Stripe holds, and gives its events."""
    return [
        lambda: account.checkout(T0),
        lambda: account.renew(T1),
        lambda: account.renew(T2, paid=False),
        lambda: account.retry(T2 + timedelta(days=3), paid=True),
        lambda: account.cancel_at_period_end(T2 + timedelta(days=40)),
        lambda: account.end(T3),
    ]


def lived(account):
    """Every event of the life, oldest first; Stripe is left at its end."""
    return [event for step in life(account) for event in step()]


def delivered(client, events):
    """The rows `events` leave, and the emails sent meanwhile (the rows are undone after)."""
    mail.outbox.clear()
    with rolled_back():
        deliver(client, events)
        return rows(), sorted(message.subject for message in mail.outbox)


def test_the_end_of_the_life_is_what_the_rows_say(client, account):
    final, emails = delivered(client, lived(account))
    (subscription,) = final["subscriptions"]
    assert subscription[3:] == (
        PaidSubscription.Status.CANCELED, T0, T3, None, True, "Too expensive", T3, T3
    )  # fmt: skip
    assert [(p[0], p[2], p[7], p[9]) for p in final["payments"]] == [
        ("in_1", "paid", T1, 1), ("in_2", "paid", T2, 1), ("in_3", "paid", T3, 2)
    ]  # fmt: skip
    assert [e[2:5] for e in final["entitlements"]] == [(T0, T3, T3)]
    assert final["checkouts"] == [("cs_1", "complete")]
    assert final["notices"] == [
        "ended:stripe:sub_1", "receipt:stripe:in_1", "receipt:stripe:in_2", "receipt:stripe:in_3"
    ]  # fmt: skip
    assert len(emails) == len(final["notices"])


def test_every_order_of_one_event_of_each_kind_ends_in_the_same_rows(client, account):
    events = lived(account)
    expected = delivered(client, events)
    kinds = {(event["type"], event["data"]["object"]["id"]): event for event in events}
    some = [kinds[("checkout.session.completed", "cs_1")], kinds[("invoice.paid", "in_1")],
            kinds[("invoice.paid", "in_2")], kinds[("invoice.payment_failed", "in_3")],
            kinds[("customer.subscription.deleted", "sub_1")]]  # fmt: skip
    for order in itertools.permutations(some):
        assert delivered(client, order) == expected, [event["type"] for event in order]


@pytest.mark.parametrize("seed", range(30))
def test_the_whole_life_shuffled_and_repeated_ends_in_the_same_rows(client, account, seed):
    events = lived(account)
    expected = delivered(client, events)
    assert delivered(client, scrambled(events, seed=seed, duplicates=6)) == expected
    assert delivered(client, events[::-1] + events) == expected


def test_living_it_event_by_event_ends_in_the_rows_of_any_later_order(client, account):
    """Delivered as it happens, Stripe holding what it held then: the same rows as every event
    delivered at the end — and the emails of the moments between, each once."""
    mail.outbox.clear()
    sent = []
    with rolled_back():
        for step in life(account):
            sent += step()
            deliver(client, sent[-1:] + sent)  # the newest first, and every earlier one again
        as_it_happened = rows()
    emails = len(mail.outbox)
    at_the_end, _ = delivered(client, sent)
    notices = as_it_happened.pop("notices")
    assert set(notices) - set(at_the_end.pop("notices")) == {
        "failed:stripe:in_3:1", f"cancelled:stripe:sub_1:{T3}"
    }  # fmt: skip
    assert as_it_happened == at_the_end
    assert emails == len(notices)
