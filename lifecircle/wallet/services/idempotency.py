"""Idempotency keys for every money-moving request.

A request claims ``(user, operation, key)`` by inserting a *pending* row (its own short
transaction). The money transaction marks that row *done* with its entry — in the same
transaction, so there is no moment when money moved but the key is not recorded. Then:

* the same key again with the same parameters returns the first entry (nothing moves again);
* the same key with different parameters is ``idempotency_key_reused`` (422);
* the same key while the first request still runs is ``idempotency_in_flight`` (409);
* a request that failed with a 4xx moved nothing, so its claim is released and the client may
  retry with the same key (e.g. after a wrong PIN);
* a pending claim older than ``WALLET_IDEMPOTENCY_STALE_SECONDS`` (its process died before the
  money transaction committed, so nothing moved) may be taken over;
* keys are kept ``WALLET_IDEMPOTENCY_TTL_SECONDS`` (48 h by default, at least 24 h).

The PIN is not part of the parameters compared: it is a credential, not what the request does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.core.errors import ApplicationError, Conflict
from lifecircle.wallet.models import IdempotencyKey, JournalEntry

MAX_KEY_LENGTH = 255


def _conf(name: str) -> int:
    return settings.LIFECIRCLE[name]


def fingerprint(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_key_clean(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise ApplicationError(
            "idempotency_key_required",
            _("Send an Idempotency-Key header with every payment request."),
            fields={"Idempotency-Key": [_("This header is required.")]},
        )
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApplicationError(
            "idempotency_key_invalid",
            _("The Idempotency-Key must be at most 255 printable characters."),
            fields={"Idempotency-Key": [_("This value is not valid.")]},
        )
    return key


class Claim:
    """The right to run one request. ``replay`` is set when the request already ran."""

    def __init__(self, row: IdempotencyKey | None = None, replay: JournalEntry | None = None):
        self.row = row
        self.replay = replay

    def complete(self, entry: JournalEntry) -> None:
        """Inside the money transaction: record the result, or roll everything back if the
        claim was taken over meanwhile."""
        done = IdempotencyKey.objects.filter(
            pk=self.row.pk, state=IdempotencyKey.State.PENDING, updated_at=self.row.updated_at
        ).update(state=IdempotencyKey.State.DONE, entry=entry, updated_at=timezone.now())
        if done != 1:
            raise _in_flight()

    def release(self) -> None:
        """The request failed before moving money: let the client retry with the same key."""
        if self.row is not None:
            IdempotencyKey.objects.filter(
                pk=self.row.pk, state=IdempotencyKey.State.PENDING, updated_at=self.row.updated_at
            ).delete()


def _in_flight() -> ApplicationError:
    return Conflict(
        "idempotency_in_flight",
        _("A request with this Idempotency-Key is still being processed. Try again shortly."),
    )


def idempotency_claim(*, user, operation: str, key: str | None, params: dict[str, Any]) -> Claim:
    key = idempotency_key_clean(key)
    fp = fingerprint(params)
    ttl = dt.timedelta(seconds=_conf("WALLET_IDEMPOTENCY_TTL_SECONDS"))
    stale = dt.timedelta(seconds=_conf("WALLET_IDEMPOTENCY_STALE_SECONDS"))
    if random.random() < 0.001:
        idempotency_keys_purge()
    for _attempt in range(5):
        now = timezone.now()
        try:
            # In autocommit mode the INSERT is its own transaction (one round trip); inside a
            # caller's transaction a savepoint keeps a duplicate key from breaking it.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                row = IdempotencyKey.objects.create(
                    user=user, operation=operation, key=key, fingerprint=fp, created_at=now, updated_at=now
                )
            return Claim(row=row)
        except IntegrityError:
            pass
        existing = (
            IdempotencyKey.objects.filter(user=user, operation=operation, key=key)
            .select_related("entry")
            .first()
        )
        if existing is None:
            continue  # released meanwhile
        if existing.created_at < now - ttl:
            IdempotencyKey.objects.filter(pk=existing.pk, updated_at=existing.updated_at).delete()
            continue
        if existing.fingerprint != fp:
            raise ApplicationError(
                "idempotency_key_reused",
                _("This Idempotency-Key was already used for a different request."),
                status=422,
            )
        if existing.state == IdempotencyKey.State.DONE:
            return Claim(replay=existing.entry)
        if existing.updated_at < now - stale:
            taken = IdempotencyKey.objects.filter(
                pk=existing.pk, state=IdempotencyKey.State.PENDING, updated_at=existing.updated_at
            ).update(updated_at=now)
            if taken:
                existing.updated_at = now
                return Claim(row=existing)
            continue
        raise _in_flight()
    raise _in_flight()


def idempotent(
    *, user, operation: str, key: str | None, params: dict[str, Any], run: Callable[[Claim], JournalEntry]
) -> JournalEntry:
    """Claim the key, then ``run(claim)``, which must pass ``after=claim.complete`` to
    ``entry_post``. A replay returns the first entry without calling ``run``."""
    claim = idempotency_claim(user=user, operation=operation, key=key, params=params)
    if claim.replay is not None:
        claim.replay.replayed = True
        return claim.replay
    try:
        return run(claim)
    except BaseException:
        claim.release()
        raise


def idempotency_keys_purge() -> int:
    cutoff = timezone.now() - dt.timedelta(seconds=_conf("WALLET_IDEMPOTENCY_TTL_SECONDS"))
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
