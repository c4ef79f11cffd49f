"""``manage.py collect-remind``: remind unpaid members of collections older than 24 h, once
each. Idempotent: running it twice (or two at once) reminds once. Run it from cron, or keep it
running with ``--loop SECONDS``."""

import time

from django.core.management.base import BaseCommand

from lifecircle.collect.services import collection_reminders_send


class Command(BaseCommand):
    help = "Remind unpaid members of collections, once, 24 h after the collection was made."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args, loop=0, **options):
        while True:
            reminded = collection_reminders_send()
            if options["verbosity"]:
                self.stdout.write(f"reminded {reminded}")
            if not loop:
                return
            time.sleep(loop)
