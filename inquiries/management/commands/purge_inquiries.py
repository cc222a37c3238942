"""Delete closed and spam inquiries once the retention period has passed (INQUIRY_RETENTION_DAYS)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from inquiries.services import inquiries_purge


class Command(BaseCommand):
    help = "Delete closed and spam inquiries closed more than INQUIRY_RETENTION_DAYS ago (default 365)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Override the retention period (now {settings.INQUIRY_RETENTION_DAYS} days).",
        )

    def handle(self, *args, days=None, **options):
        count = inquiries_purge(retention_days=days)
        self.stdout.write(f"Purged {count} closed inquiries.")
