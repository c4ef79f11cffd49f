"""The wallet's double-entry ledger.

Design overview
===============

*Accounts.* Every user has one wallet :class:`Account` (``kind=user``); the platform's own
accounts (``kind=system``: bank clearing, escrow, red-packet pool, fees, …) are created by a
data migration and found by their ``code``. An account's balance is an integer number of fen.

*Entries and postings.* Money moves only as a :class:`JournalEntry` made of two or more
:class:`Posting` rows, one per account touched, each a signed amount of fen: positive adds to
the account's balance, negative takes from it. **The postings of an entry sum to zero**, so
money is never created or lost, and the balances of all accounts together always sum to zero:
the money users hold is mirrored by the (negative) bank-clearing account, which stands for the
outside world. A top-up of ¥100 is ``bank_clearing −10000, alice +10000``; a transfer of ¥30
is ``alice −3000, bob +3000``.

*Append-only.* Postings and entries are never updated or deleted: the model and its queryset
refuse it in code and, on PostgreSQL, a trigger refuses it in the database. A mistake is
corrected by a reversing entry (``reverses`` points at the original). A deferred constraint
trigger re-checks at COMMIT that each entry's postings sum to zero.

*Cached balances.* ``Account.balance_fen`` caches the sum of the account's postings so a
balance is one row read. It is changed only by the one posting service
(:func:`lifecircle.wallet.services.ledger.entry_post`), in the same transaction as the postings;
``manage.py reconcile`` recomputes every balance from the postings and reports any difference.
A CHECK constraint keeps accounts that may not go negative (every user wallet) at or above zero.

*Hot accounts.* An account receiving thousands of credits a second (a live host's wallet)
would serialize every gift on its one row. Marked ``is_hot``, its credits go to one of
``AccountShard`` rows picked at random, so concurrent gifts rarely wait for each other; its
balance is the main row plus the sum of its shards, exact at every commit. A debit from a hot
account locks the main row and all its shards and folds the shards into the main row first.

*Locking.* The posting service updates the rows it touches in one global order, (account id,
shard) with the main row first, so two transactions can never wait for each other in a cycle;
PostgreSQL deadlock or serialization errors that still arise (e.g. from foreign-key share
locks) are retried inside the service and never reach a caller.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Ledger rows are never changed or removed: post a reversing entry instead."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    _update = update


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class Account(models.Model):
    class Kind(models.TextChoices):
        USER = "user", _("User wallet")
        SYSTEM = "system", _("System account")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.SlugField(max_length=40, unique=True, null=True, blank=True)  # system accounts
    name = models.CharField(max_length=80, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wallet_account",
    )
    balance_fen = models.BigIntegerField(default=0)
    allow_negative = models.BooleanField(default=False)
    is_hot = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance_fen__gte=0), name="account_no_overdraft"
            ),
            models.CheckConstraint(
                condition=(Q(kind="user", user__isnull=False, code__isnull=True))
                | Q(kind="system", user__isnull=True, code__isnull=False),
                name="account_kind_owner",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.SYSTEM:
            return f"{self.code}"
        return f"wallet:{self.user_id}"


class AccountShard(models.Model):
    """Part of a hot account's balance (see the design overview). Shards only ever grow
    between folds, so they never go negative."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="shards")
    shard = models.PositiveSmallIntegerField()
    balance_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "shard"], name="account_shard_unique"),
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="account_shard_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.shard}"


class EntryKind(models.TextChoices):
    TOPUP = "topup", _("Top-up")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TRANSFER = "transfer", _("Transfer")
    MICROPAYMENT = "micropayment", _("Password-free payment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")
    RED_PACKET = "red_packet", _("Red packet")
    COLLECTION = "collection", _("Group collection")
    IOU = "iou", _("IOU")


class JournalEntry(AppendOnlyModel):
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=100, blank=True)
    # What a receipt shows beyond the postings: masked card, provider reference, tip target …
    details = models.JSONField(default=dict, blank=True)
    reverses = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["reverses"], name="entry_reversed_once")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class Posting(AppendOnlyModel):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_fen = models.BigIntegerField()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [models.CheckConstraint(condition=~Q(amount_fen=0), name="posting_nonzero")]
        indexes = [models.Index(fields=["account", "-id"], name="posting_account_recent")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen:+d}"


class IdempotencyKey(models.Model):
    """One money request, scoped to (user, operation, key). ``pending`` while the first request
    runs; ``done`` (with its entry) in the same transaction that moved the money."""

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    operation = models.CharField(max_length=30)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "operation", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.operation}:{self.key}"


class BankCard(models.Model):
    """A bank card linked for top-ups and withdrawals. Only the masked number, last four digits,
    a keyed fingerprint (so one card is linked once) and the provider's token are stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bank_cards")
    masked_number = models.CharField(max_length=32)
    last4 = models.CharField(max_length=4)
    fingerprint = models.CharField(max_length=64)
    provider_token = models.CharField(max_length=80)
    holder_name = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "fingerprint"],
                condition=Q(removed_at__isnull=True),
                name="bankcard_active_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.masked_number


class MicroPaymentPreference(models.Model):
    """A user's own password-free limit: off, or a daily total at most the product's cap."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="micropay_pref"
    )
    enabled = models.BooleanField(default=True)
    daily_limit_fen = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.enabled} {self.daily_limit_fen}"


class MicroPaymentDay(models.Model):
    """Today's password-free total and count for one payer. Its row is locked by each
    password-free payment, so parallel payments at the edge of the cap queue on it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    total_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="micropay_day_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.count} / {self.total_fen}"


class SandboxOperation(models.Model):
    """What the bundled sandbox "bank" has done, by our reference: it never repeats one."""

    reference = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10)
    amount_fen = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
