"""Every write about money. Re-exported here so callers import from one place."""

from lifecircle.wallet.services.accounts import system_account, wallet_account_for
from lifecircle.wallet.services.idempotency import idempotency_keys_purge
from lifecircle.wallet.services.ledger import (
    Leg,
    account_balance,
    account_set_hot,
    entry_post,
    entry_reverse,
    in_retried_transaction,
)
from lifecircle.wallet.services.micropayments import (
    micropayment_create,
    micropayment_limits,
    micropayment_settings_update,
    micropayment_usage_today,
)
from lifecircle.wallet.services.payments import (
    bank_card_add,
    bank_card_remove,
    topup_create,
    withdrawal_create,
)
from lifecircle.wallet.services.transfers import recipient_resolve, transfer_create

__all__ = [
    "Leg",
    "account_balance",
    "account_set_hot",
    "bank_card_add",
    "bank_card_remove",
    "entry_post",
    "entry_reverse",
    "idempotency_keys_purge",
    "in_retried_transaction",
    "micropayment_create",
    "micropayment_limits",
    "micropayment_settings_update",
    "micropayment_usage_today",
    "recipient_resolve",
    "system_account",
    "topup_create",
    "transfer_create",
    "wallet_account_for",
    "withdrawal_create",
]
