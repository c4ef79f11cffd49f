"""Re-derive the books from the postings and compare them with what the ledger caches."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Sum

from lifecircle.wallet.models import Account, AccountShard, Posting


@dataclass
class ReconcileReport:
    accounts_checked: int = 0
    entries_checked: int = 0
    balance_mismatches: list[tuple[int, str, int, int]] = field(
        default_factory=list
    )  # id, label, cached, derived
    unbalanced_entries: list[tuple[int, int, int]] = field(default_factory=list)  # entry id, sum, legs
    negative_wallets: list[tuple[int, str, int]] = field(default_factory=list)
    total_cached: int = 0
    total_postings: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.balance_mismatches
            or self.unbalanced_entries
            or self.negative_wallets
            or self.total_cached != 0
            or self.total_postings != 0
        )


def ledger_reconcile() -> ReconcileReport:
    """Recompute every balance from the postings; check each entry sums to zero (with two or
    more postings) and that all accounts together sum to zero. Read-only. On PostgreSQL it reads
    one REPEATABLE READ snapshot so a busy ledger is compared at a single instant."""
    report = ReconcileReport()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        derived = dict(
            Posting.objects.values("account_id").annotate(s=Sum("amount_fen")).values_list("account_id", "s")
        )
        shards = dict(
            AccountShard.objects.values("account_id")
            .annotate(s=Sum("balance_fen"))
            .values_list("account_id", "s")
        )
        for account in Account.objects.select_related("user").order_by("id"):
            report.accounts_checked += 1
            cached = account.balance_fen + (shards.get(account.pk) or 0)
            expected = derived.get(account.pk) or 0
            report.total_cached += cached
            if cached != expected:
                report.balance_mismatches.append((account.pk, str(account), cached, expected))
            if not account.allow_negative and cached < 0:
                report.negative_wallets.append((account.pk, str(account), cached))
        report.total_postings = sum(derived.values())
        entries = Posting.objects.values("entry_id").annotate(s=Sum("amount_fen"), n=Count("id"))
        report.entries_checked = entries.count()
        for row in entries.exclude(s=0).values_list("entry_id", "s", "n"):
            report.unbalanced_entries.append(row)
        for row in entries.filter(n__lt=2).filter(s=0).values_list("entry_id", "s", "n"):
            report.unbalanced_entries.append(row)
    return report
