"""Re-encrypt every inquiry with the first (newest) INQUIRY_ENCRYPTION_KEY, so older keys can be retired.

Safe to run again: a value already under the newest key is simply encrypted again with it.
"""

from django.core.management.base import BaseCommand, CommandError

from inquiries.services import inquiries_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every inquiry with the newest key (step 2 of a key rotation; see the README)."

    def handle(self, *args, **options):
        rewritten, unreadable = inquiries_reencrypt()
        self.stdout.write(f"Re-encrypted {rewritten} inquiries; {unreadable} could not be read with any key.")
        if unreadable:
            raise CommandError(
                f"{unreadable} inquiries could not be read: keep every old key in INQUIRY_ENCRYPTION_KEY "
                "until this command reports none."
            )
