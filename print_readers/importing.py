"""A fulfilment house's file of print subscribers, imported for one publication: CSV with the
header `account_number,postcode,name,email,starts,expires,status`.

An upsert by account number: importing the same file twice changes nothing the second time.
Every row is checked; bad rows are reported by row number and reason and skipped. A record that
lapsed or was cancelled ends the web access of the accounts linked to it at once; a renewal
extends it (`linking.follow`).
"""

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from print_readers import normalise
from print_readers.linking import follow
from print_readers.models import PrintSubscriber

HEADER = ["account_number", "postcode", "name", "email", "starts", "expires", "status"]
FIELDS = ["postcode", "name", "email", "starts", "expires", "status"]


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong header, not CSV)."""


@dataclass
class ImportReport:
    outcomes: Counter = field(default_factory=Counter)  # new, renewed, lapsed, updated, unchanged
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self):
        counts = ", ".join(
            f"{self.outcomes[name]} {name}"
            for name in ("new", "renewed", "lapsed", "updated", "unchanged")
        )
        return f"{counts}, {len(self.errors)} bad row{'s' if len(self.errors) != 1 else ''}"


def import_print_subscribers(lines, publication, *, now=None):
    """Import the CSV text `lines` (an iterable of strings) for `publication`."""
    now = now or timezone.now()
    reader = csv.reader(lines, strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        rows = list(reader)  # the whole file read (and found readable) before anything is written
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
    if header != HEADER:
        raise ImportFileError(f"The first row must be the header {','.join(HEADER)}.")
    report, seen = ImportReport(), set()
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            values = parse_row(cells)
            if values["account_number"] in seen:
                raise ValueError(f"account {values['account_number']} is in the file twice")
        except ValueError as error:
            report.errors.append((number, str(error)))
            continue
        seen.add(values["account_number"])
        report.outcomes[upsert(publication, values, now)] += 1
    return report


def parse_row(cells):
    if len(cells) != len(HEADER):
        raise ValueError(f"expected {len(HEADER)} columns, found {len(cells)}")
    raw = dict(zip(HEADER, (cell.strip() for cell in cells), strict=True))
    values = {
        "account_number": normalise.account_number(raw["account_number"]),
        "postcode": normalise.postcode(raw["postcode"]),
        "name": raw["name"][:200],
        "email": raw["email"].lower(),
        "status": raw["status"].lower(),
    }
    if not values["account_number"] or len(values["account_number"]) > 40:
        raise ValueError("the account number is missing or too long")
    if not values["postcode"] or len(values["postcode"]) > 20:
        raise ValueError("the postcode is missing or too long")
    if len(values["email"]) > 254:
        raise ValueError("the email address is too long")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            raise ValueError(f"“{raw['email']}” is not an email address") from None
    for name in ("starts", "expires"):
        try:
            values[name] = dt.date.fromisoformat(raw[name])
        except ValueError:
            raise ValueError(f"{name} “{raw[name]}” is not a date like 2027-01-31") from None
    if not all(1900 <= values[name].year <= 2100 for name in ("starts", "expires")):
        raise ValueError("a date is out of range (1900–2100)")
    if values["expires"] < values["starts"]:
        raise ValueError("it expires before it starts")
    if values["status"] not in PrintSubscriber.Status.values:
        raise ValueError(f"status “{raw['status']}” is not active, lapsed or cancelled")
    return values


@transaction.atomic
def upsert(publication, values, now):
    """Write one record; returns what happened to it."""
    number = values["account_number"]
    record = (
        PrintSubscriber.objects.select_for_update()
        .filter(publication=publication, account_number=number)
        .first()
    )
    if record is None:
        try:
            with transaction.atomic():
                PrintSubscriber.objects.create(publication=publication, imported_at=now, **values)
            return "new"
        except IntegrityError:  # another import made it meanwhile: this row updates that one
            return upsert(publication, values, now)
    today = timezone.localdate(now)
    was_current, old_expires = record.is_current(today), record.expires
    changed = [name for name in FIELDS if getattr(record, name) != values[name]]
    for name in changed:
        setattr(record, name, values[name])
    if changed:
        record.imported_at = now
        record.save()
    # Even an unchanged row: a record past its expiry ends its links' grace at this import.
    for link in record.links.filter(ended_at__isnull=True).select_related("subscription"):
        follow(link.subscription, record, now)
    if not changed:
        return "unchanged"
    if was_current and not record.is_current(today):
        return "lapsed"
    if record.is_current(today) and (not was_current or record.expires > old_expires):
        return "renewed"
    return "updated"
