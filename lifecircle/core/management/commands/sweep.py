"""``manage.py sweep [--only NAME …] [--loop]``: run the background sweeps (see
``lifecircle/core/sweeps.py``): burn expired burn-after-reading messages (``chat-burn``),
refund expired red packets (``redpackets-refund``), the IOU due-date work (``ious-due``), remind
unpaid collection members (``collect-remind``). Every sweep is idempotent and safe to run from
several processes at once. Server processes run them by themselves unless
``LIFECIRCLE_SWEEP_IN_SERVER=0``; then run this with ``--loop`` as a worker, or from cron."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from lifecircle.core import sweeps


class Command(BaseCommand):
    help = "Run the background sweeps once (or keep running them with --loop); all idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="+", metavar="NAME", help="just these sweeps")
        parser.add_argument(
            "--loop", action="store_true", help="keep running, each sweep at its own interval"
        )

    def handle(self, *args, only=None, loop=False, **options):
        unknown = set(only or ()) - set(sweeps.SWEEPS)
        if unknown:
            raise CommandError(f"unknown sweep(s) {sorted(unknown)}; known: {sorted(sweeps.SWEEPS)}")
        last: dict[str, float] = {}
        while True:
            for name, result in sweeps.run_due(last, only=only).items():
                if options["verbosity"]:
                    self.stdout.write(f"{name}: {sweeps.describe(result)}")
            if not loop:
                return
            if not connection.in_atomic_block:
                close_old_connections()  # a worker keeps no stale connection between passes
            time.sleep(sweeps.TICK_SECONDS)
