"""``manage.py chat-sweep``: physically burn every burn-after-reading message whose time is
up. Idempotent; reads never depend on it (they check the clock). Run it every few seconds
(``--loop``) or from cron."""

import time

from django.core.management.base import BaseCommand

from lifecircle.chat.services import burn_due_sweep


class Command(BaseCommand):
    help = "Burn expired burn-after-reading messages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args, loop=0, **options):
        while True:
            burned = burn_due_sweep()
            if options["verbosity"]:
                self.stdout.write(f"burned {burned}")
            if not loop:
                return
            time.sleep(loop)
