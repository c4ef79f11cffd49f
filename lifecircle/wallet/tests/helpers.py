"""Shared helpers for the wallet tests."""

from __future__ import annotations

import itertools

from django.db.models import Sum

from lifecircle.wallet.models import Account, JournalEntry, Posting
from lifecircle.wallet.services import Leg, account_balance, entry_post, system_account, wallet_account_for

_keys = itertools.count(1)
CARD = "6222020200112233446"  # passes the Luhn check


def key(prefix: str = "k") -> str:
    return f"{prefix}-{next(_keys)}"


def fund(user, fen: int):
    """Give a user money straight from bank clearing (as a confirmed top-up would)."""
    return entry_post(
        kind="topup", legs=[Leg(system_account("bank_clearing"), -fen), Leg(wallet_account_for(user), fen)]
    )


def balance(user) -> int:
    return account_balance(wallet_account_for(user))


def entry_count() -> int:
    return JournalEntry.objects.count()


def ledger_total() -> int:
    """All accounts together (main rows + shards) — always zero in a sound ledger."""
    return sum(account_balance(a) for a in Account.objects.all())


def postings_total() -> int:
    return Posting.objects.aggregate(s=Sum("amount_fen"))["s"] or 0
