"""The payment-provider interface (bank top-ups and withdrawals) and the bundled sandbox.

A provider sees card numbers only while linking a card (``tokenize``) and afterwards works
with its own token. ``settings.LIFECIRCLE["WALLET_PAYMENT_PROVIDER"]`` names the class."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class ProviderResult:
    ok: bool
    reference: str
    message: str = ""


class PaymentProvider(Protocol):
    name: str

    def tokenize(self, *, card_number: str) -> str:
        """Store the card with the provider; return its token."""

    def charge(self, *, card_token: str, amount_fen: int, reference: str) -> ProviderResult:
        """Take money from the card into our bank account (a top-up). Idempotent per
        ``reference`` (as acquirers are per merchant order number): the same reference
        returns the first result and never charges twice. The wallet derives it from the
        user and the request's Idempotency-Key, so a retry after a failure reuses it."""

    def payout(self, *, card_token: str, amount_fen: int, reference: str) -> ProviderResult:
        """Send money from our bank account to the card (a withdrawal). Idempotent per
        ``reference`` like ``charge``."""


class SandboxProvider:
    """Confirms everything at once. For development, tests and demos only."""

    name = "sandbox"

    def tokenize(self, *, card_number: str) -> str:
        return "sbx_" + secrets.token_hex(12)

    def _once(self, kind: str, reference: str, amount_fen: int) -> ProviderResult:
        # The "bank" remembers each reference, so a repeated operation is not repeated.
        from lifecircle.wallet.models import SandboxOperation

        op, _created = SandboxOperation.objects.get_or_create(
            reference=reference, defaults={"kind": kind, "amount_fen": amount_fen}
        )
        return ProviderResult(ok=True, reference=f"sbx-{op.kind}-{op.reference}")

    def charge(self, *, card_token: str, amount_fen: int, reference: str) -> ProviderResult:
        return self._once("charge", reference, amount_fen)

    def payout(self, *, card_token: str, amount_fen: int, reference: str) -> ProviderResult:
        return self._once("payout", reference, amount_fen)


@lru_cache(maxsize=4)
def _load(path: str) -> PaymentProvider:
    return import_string(path)()


def get_provider() -> PaymentProvider:
    return _load(settings.LIFECIRCLE["WALLET_PAYMENT_PROVIDER"])
