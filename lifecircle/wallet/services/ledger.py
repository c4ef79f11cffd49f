"""The one posting service: the only code that writes postings or changes balances.

``entry_post`` runs in its own transaction and retries it on deadlock / serialization failure /
lock timeout, so callers never see those. Callers that need more writes in the same transaction
(the idempotency record, the password-free day counter) pass ``before`` / ``after`` callbacks,
which run inside it and are retried with it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import ApplicationError
from lifecircle.wallet.models import Account, AccountShard, JournalEntry, Posting
from lifecircle.wallet.services.errors import insufficient_funds, wallet_busy

logger = logging.getLogger(__name__)

# PostgreSQL: deadlock_detected, serialization_failure, lock_not_available.
RETRYABLE_SQLSTATES = {"40P01", "40001", "55P03"}
MAX_ATTEMPTS = 12
T = TypeVar("T")


@dataclass(frozen=True)
class Leg:
    """One side of an entry: ``amount_fen`` > 0 adds to ``account``, < 0 takes from it."""

    account: Account
    amount_fen: int


def _retryable(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(exc)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _merged(legs: Iterable[Leg]) -> dict[int, tuple[Account, int]]:
    merged: dict[int, tuple[Account, int]] = {}
    for leg in legs:
        if isinstance(leg.amount_fen, bool) or not isinstance(leg.amount_fen, int):
            raise TypeError("posting amounts are integers of fen")
        if leg.account.pk is None:
            raise ValueError("post to saved accounts only")
        account, amount = merged.get(leg.account.pk, (leg.account, 0))
        merged[leg.account.pk] = (account, amount + leg.amount_fen)
    return {pk: pair for pk, pair in merged.items() if pair[1] != 0}


_SHARDS_TO_FOLD = (
    "SELECT id, balance_fen FROM wallet_accountshard "
    "WHERE account_id = %s AND balance_fen <> 0 ORDER BY shard"
)


def _fold_shards(cur, account_id: int) -> int:
    """Move a hot account's shard balances into its main row (caller holds the main row, so
    folds never run concurrently; credits only ever add to shards). Each shard gives up exactly
    what was read from it under its row lock, so a credit landing meanwhile is never lost."""
    cur.execute(_SHARDS_TO_FOLD + (" FOR NO KEY UPDATE" if _is_postgres() else ""), [account_id])
    rows = cur.fetchall()
    for shard_id, shard_balance in rows:
        cur.execute(
            "UPDATE wallet_accountshard SET balance_fen = balance_fen - %s WHERE id = %s",
            [shard_balance, shard_id],
        )
    folded = sum(shard_balance for _id, shard_balance in rows)
    if folded:
        cur.execute(
            "UPDATE wallet_account SET balance_fen = balance_fen + %s WHERE id = %s", [folded, account_id]
        )
    return folded


def _debit(cur, account: Account, amount: int) -> None:
    """Take ``-amount`` (amount < 0) from the account, refusing to overdraw it."""
    if account.is_hot:
        if _is_postgres():
            # NO KEY UPDATE, not UPDATE: concurrent credits insert postings referencing this row,
            # which takes KEY SHARE locks; a FOR UPDATE lock would wait on them and deadlock.
            cur.execute("SELECT id FROM wallet_account WHERE id = %s FOR NO KEY UPDATE", [account.pk])
        _fold_shards(cur, account.pk)
    sql = (
        "UPDATE wallet_account SET balance_fen = balance_fen + %s "
        "WHERE id = %s AND (allow_negative OR balance_fen + %s >= 0) RETURNING balance_fen"
    )
    cur.execute(sql, [amount, account.pk, amount])
    if cur.fetchone() is not None:
        return
    # Not enough on the main row: an account that was hot once may still hold shard credits.
    if not account.is_hot and _fold_shards(cur, account.pk):
        cur.execute(sql, [amount, account.pk, amount])
        if cur.fetchone() is not None:
            return
    raise insufficient_funds()


_SHARD_CREDIT = (
    "UPDATE wallet_accountshard SET balance_fen = balance_fen + %s WHERE account_id = %s AND shard = %s"
)


def _credit(cur, account: Account, amount: int) -> None:
    if account.is_hot:
        shards = settings.LIFECIRCLE["WALLET_HOT_SHARDS"]
        cur.execute(_SHARD_CREDIT, [amount, account.pk, random.randrange(shards)])
        if cur.rowcount == 1:
            return
    cur.execute(
        "UPDATE wallet_account SET balance_fen = balance_fen + %s WHERE id = %s", [amount, account.pk]
    )
    if cur.rowcount != 1:
        raise ValueError(f"account {account.pk} does not exist")


def _post_in_transaction(
    merged: dict[int, tuple[Account, int]], *, kind, initiated_by, note, details, reverses
) -> JournalEntry:
    # One global lock order: account id ascending (a hot account's main row before its shards).
    with connection.cursor() as cur:
        for account_id in sorted(merged):
            account, amount = merged[account_id]
            if amount < 0:
                _debit(cur, account, amount)
            else:
                _credit(cur, account, amount)
    entry = JournalEntry(
        kind=kind, initiated_by=initiated_by, note=note, details=details or {}, reverses=reverses
    )
    entry.save()
    Posting.objects.bulk_create(
        [
            Posting(entry=entry, account_id=pk, amount_fen=amount)
            for pk, (_acc, amount) in sorted(merged.items())
        ]
    )
    entry.legs = [Leg(account, amount) for _pk, (account, amount) in sorted(merged.items())]
    return entry


def entry_post(
    *,
    kind: str,
    legs: Iterable[Leg],
    initiated_by=None,
    note: str = "",
    details: dict | None = None,
    reverses: JournalEntry | None = None,
    before: Callable[[], None] | None = None,
    after: Callable[[JournalEntry], None] | None = None,
) -> JournalEntry:
    """Post one journal entry and update the cached balances, atomically.

    Preconditions: ``legs`` name saved accounts with integer amounts that sum to zero and touch
    at least two accounts. Takes row locks on the accounts in ascending id order; refuses to
    take an account that may not go negative below zero (``insufficient_funds``, nothing
    written). ``before()`` runs first and ``after(entry)`` last inside the same transaction.

    Retries deadlocks, serialization failures and lock timeouts up to ``MAX_ATTEMPTS`` times
    with jittered back-off; if the database stays that busy, raises ``wallet_busy`` (409).
    Called inside an outer transaction it cannot retry, so it makes one attempt."""
    merged = _merged(legs)
    if sum(amount for _account, amount in merged.values()) != 0:
        raise ValueError("the postings of an entry must sum to zero")
    if len(merged) < 2:
        raise ValueError("an entry moves money between at least two accounts")

    def run() -> JournalEntry:
        if before is not None:
            before()
        entry = _post_in_transaction(
            merged, kind=kind, initiated_by=initiated_by, note=note, details=details, reverses=reverses
        )
        if after is not None:
            after(entry)
        return entry

    return in_retried_transaction(run)


def in_retried_transaction(fn: Callable[[], T], *, what: str = "posting") -> T:
    """``fn()`` in its own transaction, retried on deadlock / serialization failure / lock
    timeout with jittered back-off (``MAX_ATTEMPTS``); ``wallet_busy`` (409) if the database
    stays that busy. Services that lock their own rows before posting (red packets) use it
    too. Inside an outer transaction it cannot retry, so it makes one attempt."""
    attempts = 1 if connection.in_atomic_block else MAX_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return fn()
        except ApplicationError:
            raise
        except IntegrityError:
            raise
        except DatabaseError as exc:
            if not _retryable(exc):
                raise
            if attempt == attempts:
                if connection.in_atomic_block:
                    raise
                logger.warning("%s gave up after %d attempts: %s", what, attempt, exc)
                raise wallet_busy() from exc
            time.sleep(min(0.2, 0.002 * 2**attempt) * random.random())
    raise AssertionError("unreachable")


def account_balance(account: Account) -> int:
    """The exact balance: the main row plus any shards (hot accounts)."""
    main = Account.objects.filter(pk=account.pk).values_list("balance_fen", flat=True).first() or 0
    shards = AccountShard.objects.filter(account_id=account.pk).aggregate(s=Coalesce(Sum("balance_fen"), 0))[
        "s"
    ]
    return main + shards


def account_set_hot(*, account: Account, hot: bool = True) -> Account:
    """Mark an account hot (credits spread over ``WALLET_HOT_SHARDS`` shard rows) or not (its
    shards are folded back into the main row). The balance stays exact either way."""
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if hot:
            AccountShard.objects.bulk_create(
                [
                    AccountShard(account=locked, shard=i)
                    for i in range(settings.LIFECIRCLE["WALLET_HOT_SHARDS"])
                ],
                ignore_conflicts=True,
            )
        else:
            with connection.cursor() as cur:
                _fold_shards(cur, locked.pk)
        Account.objects.filter(pk=locked.pk).update(is_hot=hot)
    account.refresh_from_db()
    return account


def entry_reverse(*, entry: JournalEntry, initiated_by=None, note: str = "") -> JournalEntry:
    """Correct a mistake with a reversing entry (postings are never edited). Refused like any
    posting if it would overdraw a wallet."""
    legs = [Leg(p.account, -p.amount_fen) for p in entry.postings.select_related("account")]
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise ApplicationError(
            "entry_already_reversed", _("This entry has already been reversed."), status=409
        )
    return entry_post(
        kind="reversal",
        legs=legs,
        initiated_by=initiated_by,
        note=note or f"reversal of #{entry.pk}",
        details={"reverses": entry.pk},
        reverses=entry,
    )
