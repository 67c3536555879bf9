"""The suppression list keeps keyed hashes, not addresses; it answers for any number of
addresses in one query; it outlives accounts and a rotated SECRET_KEY; soft bounces add up."""

import hashlib
from datetime import datetime, timedelta

import pytest

from outbox.models import SoftBounce, Suppression
from outbox.suppression import (
    address_hash,
    is_suppressed,
    lift,
    normalised,
    record_soft_bounce,
    suppress,
    suppressed,
)
from tests.factories import make_user

Reason = Suppression.Reason
NOON = datetime.fromisoformat("2026-03-02T12:00:00+00:00")


@pytest.mark.parametrize(
    ("written", "compared"),
    [
        ("jane@example.com", "jane@example.com"),
        ("  Jane@Example.COM \n", "jane@example.com"),
        ("JANE.DOE+news@example.com", "jane.doe+news@example.com"),
        ("jane@bücher.example", "jane@xn--bcher-kva.example"),
        ("Jane@BÜCHER.example", "jane@xn--bcher-kva.example"),
        ("Jane Doe <Jane@Example.com>", "jane@example.com"),
        ("jane@" + "x" * 70 + ".example", "jane@" + "x" * 70 + ".example"),
    ],
    ids=["plain", "case and spaces", "dots and tags kept", "idna", "idna and case",
         "display name", "not a domain idna can spell"],
)  # fmt: skip
def test_addresses_are_compared_normalised(written, compared):
    assert normalised(written) == compared


def test_the_hash_is_keyed_not_a_plain_digest_of_the_address():
    plain = hashlib.sha256(b"jane@example.com").hexdigest()
    assert address_hash("jane@example.com", key="one") != plain
    assert address_hash("jane@example.com", key="one") != address_hash(
        "jane@example.com", key="two"
    )
    assert address_hash(" JANE@example.com", key="one") == address_hash(
        "jane@example.com", key="one"
    )
    assert len(address_hash("jane@example.com")) == 64


def test_the_key_is_email_suppression_key_when_set(settings):
    settings.EMAIL_SUPPRESSION_KEY = "its-own-key"
    assert address_hash("jane@example.com") == address_hash("jane@example.com", key="its-own-key")
    assert address_hash("jane@example.com") != address_hash(
        "jane@example.com", key=settings.SECRET_KEY
    )


@pytest.mark.django_db
def test_only_the_hash_and_a_masked_hint_are_stored():
    suppress("Jane.Doe@Example.com", Reason.HARD_BOUNCE, source="Postmark")
    row = Suppression.objects.get()
    assert row.address_hash == address_hash("jane.doe@example.com")
    assert row.hint == "j•••@example.com"
    assert (row.reason, row.source) == (Reason.HARD_BOUNCE, "Postmark")
    stored = " ".join(str(value) for value in vars(row).values())
    assert "jane.doe" not in stored.lower()


@pytest.mark.django_db
def test_a_suppression_outlives_the_account_of_its_address():
    user = make_user("leaving@example.com")
    suppress(user.email, Reason.COMPLAINT, source="Postmark")
    user.delete()
    assert is_suppressed("leaving@example.com")


@pytest.mark.django_db
def test_rotating_secret_key_the_django_way_keeps_the_list(settings):
    settings.EMAIL_SUPPRESSION_KEY = ""
    settings.SECRET_KEY = "the-old-secret-key"
    suppress("jane@example.com", Reason.HARD_BOUNCE, source="Postmark")
    settings.SECRET_KEY = "the-new-secret-key"
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key"]
    assert is_suppressed("jane@example.com")
    assert suppressed(["jane@example.com", "john@example.com"]) == {"jane@example.com"}
    suppress("jane@example.com", Reason.HARD_BOUNCE, source="Mailgun")
    assert Suppression.objects.count() == 1  # found under the old key, not added again
    assert lift("jane@example.com") == 1
    assert not is_suppressed("jane@example.com")


@pytest.mark.django_db
def test_without_the_old_key_among_the_fallbacks_the_address_is_not_recognised(settings):
    settings.EMAIL_SUPPRESSION_KEY = ""
    settings.SECRET_KEY = "the-old-secret-key"
    suppress("jane@example.com", Reason.HARD_BOUNCE, source="Postmark")
    settings.SECRET_KEY = "the-new-secret-key"
    settings.SECRET_KEY_FALLBACKS = []
    assert not is_suppressed("jane@example.com")


@pytest.mark.django_db
def test_which_of_a_thousand_addresses_are_suppressed_is_one_query(
    django_assert_num_queries, settings
):
    settings.SECRET_KEY_FALLBACKS = ["an-old-secret-key"]
    addresses = [f"reader{n}@example.com" for n in range(1000)]
    for address in addresses[::100]:
        suppress(address, Reason.HARD_BOUNCE, source="Postmark")
    with django_assert_num_queries(1):
        found = suppressed(addresses)
    assert found == set(addresses[::100])


@pytest.mark.django_db
def test_addresses_come_back_as_given(django_assert_num_queries):
    suppress("jane@example.com", Reason.COMPLAINT, source="Postmark")
    assert suppressed(["JANE@example.com", "Jane <jane@example.com>", "john@example.com"]) == {
        "JANE@example.com",
        "Jane <jane@example.com>",
    }
    with django_assert_num_queries(0):
        assert suppressed([]) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "stops_transactional"),
    [
        (Reason.HARD_BOUNCE, True),
        (Reason.COMPLAINT, True),
        (Reason.MANUAL, True),
        (Reason.SOFT_BOUNCES, True),
        (Reason.UNSUBSCRIBED, False),
    ],
)
def test_only_unsubscribing_lets_mail_the_reader_asked_for_through(reason, stops_transactional):
    suppress("jane@example.com", reason, source="reader")
    assert is_suppressed("jane@example.com")
    assert is_suppressed("jane@example.com", transactional=True) is stops_transactional


@pytest.mark.django_db
def test_suppressing_again_keeps_the_first_reason():
    suppress("jane@example.com", Reason.COMPLAINT, source="Postmark", note="first")
    suppress("jane@example.com", Reason.HARD_BOUNCE, source="Mailgun")
    row = Suppression.objects.get()
    assert (row.reason, row.source, row.note) == (Reason.COMPLAINT, "Postmark", "first")


@pytest.mark.django_db
def test_a_bounce_after_unsubscribing_stops_mail_the_reader_asks_for_too():
    suppress("jane@example.com", Reason.UNSUBSCRIBED, source="reader")
    suppress("jane@example.com", Reason.HARD_BOUNCE, source="Postmark")
    assert Suppression.objects.get().reason == Reason.HARD_BOUNCE
    assert is_suppressed("jane@example.com", transactional=True)


@pytest.mark.django_db
def test_lifting_removes_only_the_reasons_asked_for():
    suppress("jane@example.com", Reason.UNSUBSCRIBED, source="reader")
    suppress("john@example.com", Reason.HARD_BOUNCE, source="Postmark")
    assert lift("JOHN@example.com", reasons=[Reason.UNSUBSCRIBED]) == 0
    assert lift("jane@example.com", reasons=[Reason.UNSUBSCRIBED]) == 1
    assert lift("john@example.com") == 1
    assert lift("john@example.com") == 0
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_three_soft_bounces_within_thirty_days_suppress_the_address():
    for days in (0, 12, 29):
        record_soft_bounce("jane@example.com", source="Postmark", now=NOON + timedelta(days))
    row = Suppression.objects.get()
    assert (row.reason, row.source) == (Reason.SOFT_BOUNCES, "Postmark")
    assert is_suppressed("jane@example.com", transactional=True)
    assert not SoftBounce.objects.exists()


@pytest.mark.django_db
def test_three_soft_bounces_spread_over_sixty_days_do_not():
    for days in (0, 30, 60):
        record_soft_bounce("jane@example.com", source="Postmark", now=NOON + timedelta(days))
    assert not is_suppressed("jane@example.com")
    assert SoftBounce.objects.count() == 3


@pytest.mark.django_db
def test_soft_bounces_within_a_day_count_once():
    # A provider reports each failed attempt at one message, minutes to hours apart.
    for hours in (0, 1, 5, 23):
        record_soft_bounce("jane@example.com", source="Mailgun", now=NOON + timedelta(hours=hours))
    assert SoftBounce.objects.count() == 1
    assert not is_suppressed("jane@example.com")


@pytest.mark.django_db
def test_soft_bounces_of_other_addresses_do_not_add_up():
    for days, address in enumerate(["jane@example.com", "john@example.com", "jane@example.com"]):
        record_soft_bounce(address, source="Postmark", now=NOON + timedelta(days))
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_setting_its_own_key_after_launch_forgets_no_one(settings):
    settings.EMAIL_SUPPRESSION_KEY = ""
    suppress("jane@example.com", Reason.COMPLAINT, source="Postmark")
    settings.EMAIL_SUPPRESSION_KEY = "its-own-key"
    assert is_suppressed("jane@example.com")
    assert suppressed(["jane@example.com"]) == {"jane@example.com"}
