"""Password-free micro-payments, the service tips and live gifts call.

Without a PIN a payment must be at most ``WALLET_MICROPAY_MAX_FEN`` (¥1), and today's
password-free payments (including this one) at most the user's daily limit (≤ ¥50) and
``WALLET_MICROPAY_DAILY_COUNT`` (200). Past that the caller gets ``pin_required`` and asks for
the PIN; with a correct PIN the payment goes through and does not count against the limit.

The day's counter row is locked inside the money transaction before the balances, so parallel
payments at the edge of the cap queue on it and can never pass it together.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services import pin_verify
from lifecircle.core.errors import ApplicationError, validation_error
from lifecircle.core.money import amount_check
from lifecircle.wallet.models import EntryKind, JournalEntry, MicroPaymentDay, MicroPaymentPreference
from lifecircle.wallet.services.accounts import wallet_account_for
from lifecircle.wallet.services.errors import pin_required
from lifecircle.wallet.services.idempotency import idempotent
from lifecircle.wallet.services.ledger import Leg, entry_post
from lifecircle.wallet.services.transfers import note_clean

PURPOSES = {"tip", "gift", "collection", "payment"}


def _conf(name: str) -> int:
    return settings.LIFECIRCLE[name]


def micropayment_limits(*, user: User) -> tuple[bool, int]:
    """(enabled, daily limit in fen) for this user."""
    pref = MicroPaymentPreference.objects.filter(user=user).first()
    cap = _conf("WALLET_MICROPAY_DAILY_FEN")
    if pref is None:
        return True, cap
    return pref.enabled, min(pref.daily_limit_fen, cap)


def micropayment_usage_today(*, user: User) -> tuple[int, int]:
    """(count, total fen) of today's password-free payments."""
    day = MicroPaymentDay.objects.filter(user=user, day=timezone.localdate()).first()
    return (day.count, day.total_fen) if day else (0, 0)


def micropayment_settings_update(*, user: User, enabled: bool, daily_limit_fen: int, pin: str | None = None):
    """Lower or turn off the password-free limit freely; turning it on or raising it needs the PIN."""
    cap = _conf("WALLET_MICROPAY_DAILY_FEN")
    daily_limit_fen = amount_check(daily_limit_fen, field="daily_limit_fen")
    if daily_limit_fen > cap:
        raise validation_error(
            "daily_limit_fen",
            "limit_above_cap",
            _("The daily password-free limit cannot be raised above the cap."),
        )
    was_enabled, was_limit = micropayment_limits(user=user)
    if enabled and (not was_enabled or daily_limit_fen > was_limit):
        if not pin:
            raise ApplicationError(
                "pin_required",
                _("Enter your payment PIN to turn on or raise password-free payments."),
                status=403,
                fields={"pin": [_("Enter your payment PIN to turn on or raise password-free payments.")]},
            )
        pin_verify(user=user, pin=pin)
    with transaction.atomic():
        MicroPaymentPreference.objects.update_or_create(
            user=user, defaults={"enabled": bool(enabled), "daily_limit_fen": daily_limit_fen}
        )
    return micropayment_limits(user=user)


_COUNT_UPSERT = (
    "INSERT INTO wallet_micropaymentday (user_id, day, count, total_fen) VALUES (%s, %s, 1, %s) "
    "ON CONFLICT (user_id, day) DO UPDATE SET count = wallet_micropaymentday.count + 1, "
    "total_fen = wallet_micropaymentday.total_fen + excluded.total_fen "
    "WHERE wallet_micropaymentday.count + 1 <= %s "
    "AND wallet_micropaymentday.total_fen + excluded.total_fen <= %s "
    "RETURNING count"
)


def micropayment_limit_take(payer: User, amount_fen: int) -> None:
    """Inside a money transaction (micro-payments, collection payments): add this payment
    to today's password-free counter, or refuse with ``pin_required``.

    One upsert does it: it locks today's row (parallel payments queue on it) and adds to it
    only while both the count and the total stay within the limits, judged on the row's
    latest committed values, so racing payments can never pass the cap together."""
    enabled, limit = micropayment_limits(user=payer)
    max_count = _conf("WALLET_MICROPAY_DAILY_COUNT")
    if not enabled or amount_fen > _conf("WALLET_MICROPAY_MAX_FEN") or amount_fen > limit or max_count < 1:
        raise pin_required()
    with connection.cursor() as cur:
        cur.execute(_COUNT_UPSERT, [payer.pk, timezone.localdate(), amount_fen, max_count, limit])
        if cur.fetchone() is None:
            raise pin_required()


def micropayment_create(
    *,
    payer: User,
    payee: User,
    amount_fen: int,
    purpose: str = "tip",
    note: str = "",
    idempotency_key: str | None,
    pin: str | None = None,
    details: dict | None = None,
) -> JournalEntry:
    """Pay ``payee`` a small amount without the PIN while within the limits (see the module
    docstring); raises ``pin_required`` (403) past them unless ``pin`` is given and correct.
    ``purpose`` and ``details`` (e.g. ``{"post_id": 7}``) are shown on the receipt."""
    amount_fen = amount_check(amount_fen)
    note = note_clean(note)
    if purpose not in PURPOSES:
        raise validation_error("purpose", "purpose_invalid", _("Choose one of the offered values."))
    if payee is None or not payee.is_active:
        raise validation_error(
            "payee", "recipient_not_found", _("No user with this username or mobile number.")
        )
    from lifecircle.social.selectors import is_blocked_between

    if is_blocked_between(payer, payee):  # whoever calls this (tips, gifts, the API): never across a block
        raise validation_error(
            "payee", "recipient_not_found", _("No user with this username or mobile number.")
        )
    if payee.pk == payer.pk:
        raise validation_error("payee", "self_transfer", _("You cannot transfer money to yourself."))

    def run(claim):
        with_pin = bool(pin)
        if with_pin:
            pin_verify(user=payer, pin=pin)
        return entry_post(
            kind=EntryKind.MICROPAYMENT,
            legs=[Leg(wallet_account_for(payer), -amount_fen), Leg(wallet_account_for(payee), amount_fen)],
            initiated_by=payer,
            note=note,
            details={
                **(details or {}),
                "from_user": payer.pk,
                "to_user": payee.pk,
                "purpose": purpose,
                "password_free": not with_pin,
            },
            before=None if with_pin else (lambda: micropayment_limit_take(payer, amount_fen)),
            after=claim.complete,
        )

    return idempotent(
        user=payer,
        operation="micropayment",
        key=idempotency_key,
        params={
            "payee_id": payee.pk,
            "amount_fen": amount_fen,
            "purpose": purpose,
            "note": note,
            "details": details or {},
        },
        run=run,
    )
