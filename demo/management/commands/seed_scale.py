import time

from django.core.management.base import BaseCommand, CommandError

from demo.scale import analyze, seed_scale


class Command(BaseCommand):
    help = "Add a large, deterministic archive for benchmarks (run seed_demo first)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=50_000)
        parser.add_argument("--comments", type=int, default=500_000)
        parser.add_argument("--subscribers", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")

    def handle(self, articles, comments, subscribers, seed, **options):
        started = time.monotonic()
        try:
            seed_scale(
                articles=articles,
                comments=comments,
                subscribers=subscribers,
                seed=seed,
                progress=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        analyze()
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
