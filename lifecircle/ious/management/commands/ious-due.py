"""``manage.py ious-due [--loop SECONDS]``: the IOU due-date work, idempotent.

Each pass returns the escrow of proposals that expired unconfirmed, sends the due-date
reminder (IOU_DUE, to both parties) for IOUs due today, and runs the due-date debit the
borrower agreed to (what it can: what is owed, or the whole balance if less). Running it twice
the same day reminds once and debits once. Statuses never depend on it: overdue and expired
are read from the clock. Run it from cron (daily is enough; more often is harmless) or with
``--loop``."""

import time

from django.core.management.base import BaseCommand

from lifecircle.ious.services import ious_due_run


class Command(BaseCommand):
    help = "Return expired IOU escrow, remind IOUs due today, and run agreed due-date debits (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args, loop=0, **options):
        while True:
            report = ious_due_run()
            if options["verbosity"]:
                self.stdout.write(
                    "expired {expired}, reminded {reminded}, debited {debited} ({debited_fen} fen)".format(
                        **report
                    )
                )
            if not loop:
                return
            time.sleep(loop)
