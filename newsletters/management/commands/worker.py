"""The task worker, with the newsletter clock started: `manage.py worker` is `db_worker` that
also makes sure newsletters go out on time (see newsletters.clock)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from newsletters import clock


class Command(BaseCommand):
    help = "Run background tasks (email, payment events, gifts, newsletters) from the queue."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1, help="Seconds between polls.")
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay")
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args, interval, startup_delay, max_tasks, **options):
        if not clock.ensure_running():
            self.stderr.write(
                "This task backend runs tasks at once: newsletters need `send_newsletters`."
            )
        call_command(
            "db_worker",
            interval=interval,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            verbosity=options["verbosity"],
        )
