"""The demo's print subscribers of Homestead Almanac, as a fulfilment house would send them: one
current (link it from My account › Print subscription), one lapsed."""

from datetime import timedelta

from django.utils import timezone

from magazine.models import Publication
from print_readers.models import PrintSubscriber

RECORDS = [
    # account number, postcode, name, status, starts (days ago), expires (days from now)
    ("HA100234", "05753", "Fern Arable", PrintSubscriber.Status.ACTIVE, 30, 365),
    ("HA100987", "05753", "Wilbur Pigg", PrintSubscriber.Status.LAPSED, 400, -35),
]


def ensure_demo_print_subscribers(*, now):
    publication = Publication.objects.filter(slug="homestead").first()
    if publication is None:
        return
    today = timezone.localdate(now)
    for number, postcode, name, status, started, expires in RECORDS:
        PrintSubscriber.objects.get_or_create(
            publication=publication,
            account_number=number,
            defaults={
                "postcode": postcode,
                "name": name,
                "status": status,
                "starts": today - timedelta(days=started),
                "expires": today + timedelta(days=expires),
                "imported_at": now,
            },
        )
