"""Transfers between people, with the payment PIN."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services import pin_verify, user_find_by_identifier
from lifecircle.accounts.validators import looks_like_mobile
from lifecircle.core.errors import ApplicationError, validation_error
from lifecircle.core.money import amount_check
from lifecircle.core.text import plain_text
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.wallet.models import EntryKind, JournalEntry
from lifecircle.wallet.services.accounts import wallet_account_for
from lifecircle.wallet.services.idempotency import idempotent
from lifecircle.wallet.services.ledger import Leg, entry_post

NOTE_MAX = 100


def note_clean(note: str | None) -> str:
    note = plain_text(note)
    if len(note) > NOTE_MAX:
        raise validation_error("note", "note_too_long", _("A note has at most 100 characters."))
    return note


def recipient_resolve(*, sender: User, recipient: str | User) -> User:
    """Who a transfer goes to, as the social rules allow: friends by username or mobile
    number, anyone else only by mobile number (PRODUCT.md "Wallet"); never across a block —
    someone who blocked the sender cannot be found at all."""
    from lifecircle.social import selectors as social

    if isinstance(recipient, User):  # internal callers (red packets, collections) checked membership
        user, by_mobile = recipient, True
    else:
        identifier = str(recipient or "")
        user, by_mobile = user_find_by_identifier(identifier), looks_like_mobile(identifier)
    not_found = validation_error(
        "recipient", "recipient_not_found", _("No user with this username or mobile number.")
    )
    if user is None or not user.is_active:
        raise not_found
    if user.pk == sender.pk:
        raise validation_error("recipient", "self_transfer", _("You cannot transfer money to yourself."))
    if social.has_blocked(user, sender):
        raise not_found
    if social.has_blocked(sender, user):
        raise ApplicationError(
            "recipient_blocked", _("You blocked this person. Unblock them first."), status=403
        )
    if not by_mobile and not social.are_friends(sender, user):
        raise validation_error(
            "recipient",
            "recipient_not_friend",
            _("To pay someone who is not your friend, enter their mobile number."),
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

        def after(entry: JournalEntry) -> None:
            claim.complete(entry)
            # In the money transaction: the recipient is told exactly when the money arrives.
            notification_create(
                user_id=to.pk,
                kind=Notification.Kind.MONEY_RECEIVED,
                actor_id=sender.pk,
                amount_fen=amount_fen,
            )

        return entry_post(
            kind=EntryKind.TRANSFER,
            legs=[Leg(wallet_account_for(sender), -amount_fen), Leg(wallet_account_for(to), amount_fen)],
            initiated_by=sender,
            note=note,
            details={"from_user": sender.pk, "to_user": to.pk},
            after=after,
        )

    return idempotent(
        user=sender,
        operation="transfer",
        key=idempotency_key,
        params={"recipient_id": to.pk, "amount_fen": amount_fen, "note": note},
        run=run,
    )
