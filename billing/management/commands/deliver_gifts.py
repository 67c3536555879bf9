from django.core.management.base import BaseCommand

from billing import gifts


class Command(BaseCommand):
    help = (
        "Email every paid gift whose day has come and that has not gone out (the task worker "
        "does this on the day; this catches up after an outage). Safe to run again."
    )

    def handle(self, *args, **options):
        sent = sum(gifts.deliver(gift.pk) for gift in gifts.due())
        self.stdout.write(f"{sent} gift(s) emailed.")
