import io

from django.core.management.base import BaseCommand, CommandError

from magazine.models import Publication
from print_readers.importing import ImportFileError, import_print_subscribers


class Command(BaseCommand):
    help = (
        "Import a fulfilment house's print subscribers for one publication from a CSV file "
        "with the header account_number,postcode,name,email,starts,expires,status."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--publication", required=True, help="the publication's slug")

    def handle(self, *args, file, publication, **options):
        found = Publication.objects.filter(slug=publication).first()
        if found is None:
            raise CommandError(f"No publication with the slug “{publication}”.")
        try:
            with open(file, encoding="utf-8-sig", newline="") as lines:
                text = lines.read()  # decoded whole before anything is written
            report = import_print_subscribers(io.StringIO(text, newline=""), found)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except (ImportFileError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report.summary())
        for number, reason in report.errors:
            self.stdout.write(f"  row {number}: {reason}")
