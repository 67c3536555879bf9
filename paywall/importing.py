"""Subscriber lists from fulfilment houses: CSV with the header `email,publication,end_date`.

Every row is checked; bad rows are reported by row number and reason and skipped; good rows are
imported. Importing the same file twice changes nothing the second time.
"""

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from magazine.models import Publication
from paywall.models import Subscription
from paywall.subscriptions import end_of_day, grant, plan_for_publication

HEADER = ["email", "publication", "end_date"]


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong header, not CSV)."""


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    users_created: int = 0

    @property
    def rows(self):
        return sum(self.outcomes.values()) + len(self.errors)


@dataclass(frozen=True)
class Row:
    email: str
    publication: Publication
    until: dt.datetime


def import_subscribers(lines, *, now=None):
    """Import the CSV text `lines` (an iterable of strings); returns an ImportReport."""
    now = now or timezone.now()
    reader = csv.reader(lines)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header != HEADER:
        raise ImportFileError(f"The first row must be the header {','.join(HEADER)}.")
    publications = {p.slug: p for p in Publication.objects.all()}
    report = ImportReport()
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            row = parse_row(cells, publications, now=now)
        except ValueError as error:
            report.errors.append((number, str(error)))
            continue
        import_row(row, report, now=now)
    return report


def parse_row(cells, publications, *, now):
    if len(cells) != len(HEADER):
        raise ValueError(f"expected 3 columns, found {len(cells)}")
    email, slug, end_date = (cell.strip() for cell in cells)
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(f"“{email}” is not an email address") from None
    if slug not in publications:
        raise ValueError(f"no publication with the slug “{slug}”")
    try:
        date = dt.date.fromisoformat(end_date)
    except ValueError:
        raise ValueError(f"end date “{end_date}” is not a date like 2027-01-31") from None
    until = end_of_day(date)
    if until <= now:
        raise ValueError(f"end date {end_date} has already passed")
    return Row(email.lower(), publications[slug], until)


@transaction.atomic
def import_row(row, report, *, now):
    User = get_user_model()
    user = User.objects.filter(email__iexact=row.email).first()
    if user is None:
        # No password: the reader sets one through "Forgot your password?".
        user = User.objects.create_user(email=row.email, password=None)
        report.users_created += 1
    _, outcome = grant(
        user=user,
        plan=plan_for_publication(row.publication),
        until=row.until,
        source=Subscription.Source.IMPORT,
        now=now,
    )
    report.outcomes[outcome] += 1
