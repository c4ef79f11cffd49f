"""``manage.py redpackets-sweep``: refund what is left of every expired red packet to its
sender. Idempotent (one refund entry per packet, ever); reads never depend on it (they check
the clock). Run it every minute or so (``--loop 60``) or from cron."""

import time

from django.core.management.base import BaseCommand

from lifecircle.redpackets.services import red_packets_sweep


class Command(BaseCommand):
    help = "Refund the unclaimed part of expired red packets (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args, loop=0, **options):
        while True:
            refunded = red_packets_sweep()
            if options["verbosity"]:
                self.stdout.write(f"refunded {refunded}")
            if not loop:
                return
            time.sleep(loop)
