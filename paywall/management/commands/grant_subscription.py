import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from magazine.models import Publication
from paywall.subscriptions import end_of_day, grant, plan_for_publication


class Command(BaseCommand):
    help = "Give a reader access to a publication until a date (extends a current subscription)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("publication", help="the publication's slug")
        parser.add_argument("--until", required=True, help="last day of access, YYYY-MM-DD")

    def handle(self, email, publication, until, **options):
        try:
            last_day = dt.date.fromisoformat(until)
        except ValueError:
            raise CommandError(f"--until must be a date like 2027-01-31, not “{until}”.") from None
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No reader with the email address {email}.")
        found = Publication.objects.filter(slug=publication).first()
        if found is None:
            raise CommandError(f"No publication with the slug “{publication}”.")
        try:
            _, outcome = grant(
                user=user, plan=plan_for_publication(found), until=end_of_day(last_day)
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{user.email}: {found.name} until {last_day:%d %B %Y} ({outcome}).")
