"""Fulfilment files for the print tests."""

import io
from datetime import timedelta

from django.utils import timezone

HEADER = "account_number,postcode,name,email,starts,expires,status\n"


def row(number="HA-100234", postcode="05753", *, email="", expires=None, status="active",
        starts=None, name="Fern Arable"):  # fmt: skip
    today = timezone.localdate()
    starts = starts or today - timedelta(days=100)
    expires = expires or today + timedelta(days=265)
    return f"{number},{postcode},{name},{email},{starts},{expires},{status}\n"


def csv_file(*rows):
    return io.StringIO(HEADER + "".join(rows))


def a_year_on():
    return timezone.localdate() + timedelta(days=365)


def yesterday():
    return timezone.localdate() - timedelta(days=1)
