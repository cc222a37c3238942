"""The outbox sweep: send every front-desk notification that could not be sent when it was made."""

from core.management.repeating import RepeatingCommand
from inquiries.services import notifications_send_pending


class Command(RepeatingCommand):
    help = "Send pending inquiry notifications (run from cron, or with --every to keep sweeping)."

    def run_once(self):
        sent, pending = notifications_send_pending()
        if sent or pending or self.verbosity > 1:
            return [f"Notifications sent: {sent}; still pending: {pending}"]
        return []
