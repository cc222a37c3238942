"""A management command that does its work once (for cron), or again and again with --every."""

import time

from django.core.management.base import BaseCommand


class RepeatingCommand(BaseCommand):
    """Subclasses implement `run_once()`, returning the lines to print (nothing when idle)."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, this often. Without it, run once and exit (as cron runs it).",
        )

    def run_once(self):
        raise NotImplementedError

    def handle(self, *args, every=0, **options):
        self.verbosity = options.get("verbosity", 1)
        while True:
            for line in self.run_once():
                self.stdout.write(line)
            if not every:
                return
            time.sleep(every)
