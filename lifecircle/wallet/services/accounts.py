"""Finding (and lazily opening) the accounts money moves between."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from lifecircle.wallet.models import Account

# Created by migration 0002; re-created on demand if a test flush or a fresh database lost them.
SYSTEM_ACCOUNTS = {
    "bank_clearing": ("Bank clearing", True),
    "escrow": ("Escrow", False),
    "red_packet_pool": ("Red-packet pool", False),
    "fees": ("Fees", False),
    "suspense": ("Suspense", False),
}
# Sharded system accounts: ``<code>_NN`` rows that are one account to people (red packets keep
# each packet's money in one pool shard, so grabs from different packets do not queue on one row).
SYSTEM_ACCOUNT_SHARDS = {"red_packet_pool": 16}
for _code, _count in SYSTEM_ACCOUNT_SHARDS.items():
    _name, _negative = SYSTEM_ACCOUNTS[_code]
    SYSTEM_ACCOUNTS.update({f"{_code}_{i:02d}": (f"{_name} {i:02d}", _negative) for i in range(_count)})


def system_account_family(code: str | None) -> str | None:
    """The account people see for a system account code: a shard's unsharded code."""
    base, _sep, suffix = (code or "").rpartition("_")
    return base if base in SYSTEM_ACCOUNT_SHARDS and suffix.isdigit() else code


def system_account(code: str) -> Account:
    if code not in SYSTEM_ACCOUNTS:
        raise KeyError(code)
    account = Account.objects.filter(code=code).first()
    if account is None:
        name, allow_negative = SYSTEM_ACCOUNTS[code]
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    kind=Account.Kind.SYSTEM, code=code, name=name, allow_negative=allow_negative
                )
        except IntegrityError:
            account = Account.objects.get(code=code)
    return account


def wallet_account_for(user) -> Account:
    """The user's wallet account, opened on first use."""
    account = Account.objects.filter(user=user).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(kind=Account.Kind.USER, user=user, name=user.username[:80])
        except IntegrityError:
            account = Account.objects.get(user=user)
    account.user = user  # the caller's object: saves a query when a receipt names the owner
    return account
