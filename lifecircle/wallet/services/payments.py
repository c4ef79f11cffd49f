"""Bank cards, top-ups and withdrawals through the payment provider."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.services import pin_verify
from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import ApplicationError, NotFound, validation_error
from lifecircle.core.money import amount_check
from lifecircle.core.text import ascii_digits, plain_text
from lifecircle.wallet.models import BankCard, EntryKind, JournalEntry
from lifecircle.wallet.providers import get_provider
from lifecircle.wallet.services.accounts import system_account, wallet_account_for
from lifecircle.wallet.services.idempotency import idempotency_key_clean, idempotent
from lifecircle.wallet.services.ledger import Leg, entry_post


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_number_clean(number: str) -> str:
    digits = "".join((number or "").split()).replace("-", "")
    if not ascii_digits(digits) or not 12 <= len(digits) <= 19 or not luhn_valid(digits):
        raise validation_error("number", "card_number_invalid", _("This is not a valid bank card number."))
    return digits


def card_mask(digits: str) -> str:
    return f"**** **** **** {digits[-4:]}"


def _card_fingerprint(digits: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"card:" + digits.encode(), hashlib.sha256).hexdigest()


def bank_card_add(*, user, number: str, holder_name: str = "") -> BankCard:
    """Link a card: Luhn-checked, tokenized by the provider, stored masked (never in full)."""
    digits = card_number_clean(number)
    holder_name = plain_text(holder_name)[:60]
    fp = _card_fingerprint(digits)
    if BankCard.objects.filter(user=user, fingerprint=fp, removed_at__isnull=True).exists():
        raise ApplicationError("card_already_linked", _("This card is already linked."), status=409)
    token = get_provider().tokenize(card_number=digits)
    try:
        with transaction.atomic():
            return BankCard.objects.create(
                user=user,
                masked_number=card_mask(digits),
                last4=digits[-4:],
                fingerprint=fp,
                provider_token=token,
                holder_name=holder_name,
            )
    except IntegrityError:
        raise ApplicationError("card_already_linked", _("This card is already linked."), status=409) from None


def _card_for(user, card_id) -> BankCard:
    card = (
        BankCard.objects.filter(pk=card_id, user=user, removed_at__isnull=True).first()
        if id_in_range(card_id)
        else None
    )
    if card is None:
        raise NotFound("card_not_found", _("No such bank card."))
    return card


def bank_card_remove(*, user, card_id: int) -> None:
    card = _card_for(user, card_id)
    BankCard.objects.filter(pk=card.pk).update(removed_at=timezone.now())


def provider_reference(operation: str, user, idempotency_key: str | None) -> str:
    """Our reference for a provider operation: the same for every retry of one request (same
    user, same Idempotency-Key), so the provider never charges or pays out twice."""
    digest = hashlib.sha256(f"{user.pk}:{idempotency_key_clean(idempotency_key)}".encode()).hexdigest()[:32]
    return f"{operation}-{user.pk}-{digest}"


def topup_create(*, user, card_id: int, amount_fen: int, idempotency_key: str | None) -> JournalEntry:
    """Add money from a linked card. The sandbox provider confirms at once; the entry is
    ``bank_clearing → wallet``. No PIN: money only comes in."""
    amount_fen = amount_check(amount_fen)
    card = _card_for(user, card_id)

    def run(claim):
        result = get_provider().charge(
            card_token=card.provider_token,
            amount_fen=amount_fen,
            reference=provider_reference("topup", user, idempotency_key),
        )
        if not result.ok:
            raise ApplicationError("provider_declined", _("The bank declined this payment."), status=402)
        return entry_post(
            kind=EntryKind.TOPUP,
            legs=[
                Leg(system_account("bank_clearing"), -amount_fen),
                Leg(wallet_account_for(user), amount_fen),
            ],
            initiated_by=user,
            details={"card": card.masked_number, "card_id": card.pk, "provider_ref": result.reference},
            after=claim.complete,
        )

    return idempotent(
        user=user,
        operation="topup",
        key=idempotency_key,
        params={"card_id": card.pk, "amount_fen": amount_fen},
        run=run,
    )


def withdrawal_create(
    *, user, card_id: int, amount_fen: int, pin: str, idempotency_key: str | None
) -> JournalEntry:
    """Send money to a linked card; needs the PIN. The wallet is debited first (so the money
    cannot be spent twice), then the provider pays out; a refused payout is refunded by a
    reversing entry."""
    amount_fen = amount_check(amount_fen)
    card = _card_for(user, card_id)

    def run(claim):
        pin_verify(user=user, pin=pin)  # before the money transaction: it commits its own failures
        entry = entry_post(
            kind=EntryKind.WITHDRAWAL,
            legs=[
                Leg(wallet_account_for(user), -amount_fen),
                Leg(system_account("bank_clearing"), amount_fen),
            ],
            initiated_by=user,
            details={"card": card.masked_number, "card_id": card.pk},
            after=claim.complete,
        )
        result = get_provider().payout(
            card_token=card.provider_token, amount_fen=amount_fen, reference=f"wd-{entry.pk}"
        )
        if not result.ok:
            from lifecircle.wallet.services.ledger import entry_reverse

            entry_reverse(entry=entry, note="payout refused")
            raise ApplicationError(
                "provider_declined", _("The bank refused the withdrawal; it was refunded."), status=402
            )
        return entry

    return idempotent(
        user=user,
        operation="withdrawal",
        key=idempotency_key,
        params={"card_id": card.pk, "amount_fen": amount_fen},
        run=run,
    )
