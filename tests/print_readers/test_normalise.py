"""What readers type from a mailing label matches what the fulfilment house sent."""

import pytest

from print_readers import normalise


@pytest.mark.parametrize(
    "typed", ["HA-100234", "ha100234", " ha 100 234 ", "HA-0100234", "ha_100234", "HA.100234"]
)
def test_account_numbers_ignore_case_spaces_dashes_and_leading_zeros(typed):
    assert normalise.account_number(typed) == "HA100234"


def test_leading_zeros_go_from_every_number_but_zero_itself():
    assert normalise.account_number("00042-007") == normalise.account_number("00042007") == "42007"
    assert normalise.account_number("A0") == "A0"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("05753", "05753"),
        ("05753-1234", "05753"),
        ("057531234", "05753"),
        ("sw1a1aa", "SW1A 1AA"),
        ("SW1A  1AA", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("k1a 0b1", "K1A0B1"),
    ],
)
def test_postcodes_us_zip_to_five_digits_uk_spaced_others_compact(typed, kept):
    assert normalise.postcode(typed) == kept
