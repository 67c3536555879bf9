"""Send whatever newsletters are due now, to the end: what the clock in the worker does a tick
at a time, for a site whose task backend cannot wait (or to catch up by hand)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from newsletters import sending
from newsletters.models import Delivery


class Command(BaseCommand):
    help = "Start the newsletter sends that are due and deliver every message waiting."

    def handle(self, *args, **options):
        before = Delivery.objects.filter(state=Delivery.State.SENT).count()
        sending.run(timezone.now())
        sent = Delivery.objects.filter(state=Delivery.State.SENT).count() - before
        self.stdout.write(f"{sent} newsletter email(s) sent.")
