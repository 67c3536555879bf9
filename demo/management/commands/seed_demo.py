from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from demo.billing import ensure_prices
from demo.comments import ensure_demo_comments
from demo.content import demo_files, load_publication
from demo.editions import ensure_demo_editions
from demo.newsletters import ensure_demo_newsletters
from demo.print_readers import ensure_demo_print_subscribers


class Command(BaseCommand):
    help = "Load the demo publications, articles, accounts and comments (safe to run again)."

    def handle(self, *args, **options):
        now = timezone.now()
        for position, path in enumerate(demo_files()):
            publication, created = load_publication(path, now=now, position=position)
            self.stdout.write(f"{publication.name}: {created} new article(s)")
        ensure_demo_accounts(now=now)
        ensure_prices()
        ensure_demo_comments(now=now)
        ensure_demo_newsletters(now=now)
        ensure_demo_print_subscribers(now=now)
        ensure_demo_editions()
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password “{DEMO_PASSWORD}”):"))
        for email, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<26} {description}")
