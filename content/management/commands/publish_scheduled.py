"""Publish the versions staff scheduled, and take down what is due to come down (cron: every minute)."""

from content.publishing import run_schedule
from core.management.repeating import RepeatingCommand
from core.registry import document_models


class Command(RepeatingCommand):
    help = "Publish scheduled versions that are due (run every minute from cron, or with --every)."

    def run_once(self):
        return [line for model in document_models() for line in run_schedule(model=model)]
