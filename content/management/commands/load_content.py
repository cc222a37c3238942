"""Load the authored pages and conditions; keep what staff have edited unless --force."""

from django.core.management.base import BaseCommand, CommandError

from content.loading import ContentFileError, load_content


class Command(BaseCommand):
    help = "Create missing authored pages and conditions and update untouched ones; never overwrite a staff edit."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Overwrite staff edits with the authored files."
        )

    def handle(self, *args, force=False, **options):
        try:
            reports = load_content(force=force)
        except ContentFileError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] == 0:
            return
        for name, report in reports.items():
            self.stdout.write(f"{name.capitalize()}: {report}")
            for slug in report.kept:
                self.stdout.write(f"  kept staff edit: {slug} (use --force to overwrite)")
            for reason in report.held_back:
                self.stdout.write(f"  left as a draft: {reason}")
