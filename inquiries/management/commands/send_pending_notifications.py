"""The outbox sweep: send every front-desk notification that could not be sent when it was made."""

import time

from django.core.management.base import BaseCommand

from inquiries.services import notifications_send_pending


class Command(BaseCommand):
    help = "Send pending inquiry notifications (run from cron, or with --every to keep sweeping)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sweeping this often. Without it, sweep once and exit.",
        )

    def handle(self, *args, every=0, **options):
        while True:
            sent, pending = notifications_send_pending()
            if sent or pending or options["verbosity"] > 1:
                self.stdout.write(f"Notifications sent: {sent}; still pending: {pending}")
            if not every:
                return
            time.sleep(every)
