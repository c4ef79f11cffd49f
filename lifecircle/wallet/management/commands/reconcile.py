"""``manage.py reconcile``: check the ledger's books. Exit status 0 when they balance, 1 (with
a report of every mismatch) when they do not. Read-only."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lifecircle.wallet.services.reconcile import ledger_reconcile


class Command(BaseCommand):
    help = (
        "Recompute every balance from postings and check that every entry and the whole ledger sum to zero."
    )

    def handle(self, *args, **options):
        report = ledger_reconcile()
        out = self.stdout
        out.write(f"accounts checked: {report.accounts_checked}")
        out.write(f"entries checked:  {report.entries_checked}")
        out.write(f"sum of all cached balances: {report.total_cached}")
        out.write(f"sum of all postings:        {report.total_postings}")
        for account_id, label, cached, derived in report.balance_mismatches:
            out.write(
                f"MISMATCH account {account_id} ({label}): cached {cached}, from postings {derived}, "
                f"difference {cached - derived}"
            )
        for entry_id, total, legs in report.unbalanced_entries:
            out.write(f"UNBALANCED entry {entry_id}: postings sum to {total} over {legs} posting(s)")
        for account_id, label, cached in report.negative_wallets:
            out.write(f"NEGATIVE account {account_id} ({label}): {cached}")
        if report.total_cached != 0:
            out.write(f"LEDGER TOTAL is {report.total_cached}, not 0")
        if not report.ok:
            raise CommandError("the ledger does not reconcile", returncode=1)
        out.write(
            self.style.SUCCESS("ledger reconciles: every balance matches its postings, every entry sums to 0")
        )
