"""Publish the versions staff scheduled, and take down what is due to come down (cron: every minute)."""

import time

from django.core.management.base import BaseCommand

from content.publishing import run_schedule
from core.registry import document_models


class Command(BaseCommand):
    help = "Publish scheduled versions that are due (run every minute from cron, or with --every)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, checking this often. Without it, check once and exit.",
        )

    def handle(self, *args, every=0, **options):
        while True:
            for model in document_models():
                for line in run_schedule(model=model):
                    self.stdout.write(line)
            if not every:
                return
            time.sleep(every)
