from django.core.management.base import BaseCommand, CommandError

from paywall.importing import ImportFileError, import_subscribers


class Command(BaseCommand):
    help = "Import subscribers from a CSV file with the header email,publication,end_date."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file: email, publication slug, YYYY-MM-DD")

    def handle(self, file, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as lines:
                report = import_subscribers(lines)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except (ImportFileError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from None
        for number, reason in report.errors:
            self.stderr.write(f"row {number}: {reason}")
        outcomes = report.outcomes
        self.stdout.write(
            f"{report.rows} rows: {outcomes['created']} subscriptions created, "
            f"{outcomes['extended']} extended, {outcomes['unchanged']} unchanged, "
            f"{len(report.errors)} rejected; {report.users_created} new readers."
        )
