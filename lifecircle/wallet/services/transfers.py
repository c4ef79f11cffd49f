"""Transfers between people, with the payment PIN."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services import pin_verify, user_find_by_identifier
from lifecircle.core.errors import ApplicationError, validation_error
from lifecircle.core.money import amount_check
from lifecircle.wallet.models import EntryKind, JournalEntry
from lifecircle.wallet.services.accounts import wallet_account_for
from lifecircle.wallet.services.idempotency import idempotent
from lifecircle.wallet.services.ledger import Leg, entry_post

NOTE_MAX = 100


def transfer_recipient_allowed(*, sender: User, recipient: User) -> bool:
    """HOOK(social): friend rules plug in here — e.g. refuse when either side blocked the
    other, or when a stranger found by username (not mobile) is not a friend. Until the social
    graph exists, anyone with an active account may receive a transfer."""
    return True


def note_clean(note: str | None) -> str:
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise validation_error("note", "note_too_long", _("A note has at most 100 characters."))
    return note


def recipient_resolve(*, sender: User, recipient: str | User) -> User:
    user = recipient if isinstance(recipient, User) else user_find_by_identifier(str(recipient or ""))
    if user is None or not user.is_active:
        raise validation_error(
            "recipient", "recipient_not_found", _("No user with this username or mobile number.")
        )
    if user.pk == sender.pk:
        raise validation_error("recipient", "self_transfer", _("You cannot transfer money to yourself."))
    if not transfer_recipient_allowed(sender=sender, recipient=user):
        raise ApplicationError(
            "recipient_not_allowed", _("You cannot transfer money to this user."), status=403
        )
    return user


def transfer_create(
    *,
    sender: User,
    recipient: str | User,
    amount_fen: int,
    pin: str,
    note: str = "",
    idempotency_key: str | None,
) -> JournalEntry:
    """Move ``amount_fen`` from the sender's wallet to the recipient's (found by username or
    mobile number). Checks the PIN first (outside the money transaction, see ``pin_verify``),
    then posts ``sender −amount, recipient +amount``. Idempotent per (sender, key)."""
    amount_fen = amount_check(amount_fen)
    note = note_clean(note)
    to = recipient_resolve(sender=sender, recipient=recipient)

    def run(claim):
        pin_verify(user=sender, pin=pin)
        return entry_post(
            kind=EntryKind.TRANSFER,
            legs=[Leg(wallet_account_for(sender), -amount_fen), Leg(wallet_account_for(to), amount_fen)],
            initiated_by=sender,
            note=note,
            details={"from_user": sender.pk, "to_user": to.pk},
            after=claim.complete,
        )

    return idempotent(
        user=sender,
        operation="transfer",
        key=idempotency_key,
        params={"recipient_id": to.pk, "amount_fen": amount_fen, "note": note},
        run=run,
    )
