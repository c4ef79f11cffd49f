"""Writing an IOU: propose, confirm, cancel, and the end of a proposal nobody confirmed.

Lock order: the IOU row first (``SELECT … FOR UPDATE`` in the posting's ``before``), then the
wallet accounts (the posting service, ascending id). Nothing locks accounts and then an IOU, so
there are no lock cycles; concurrent confirms / cancels of one IOU queue on its row, and the
first to commit decides: the others see it is no longer a proposal, and nothing moves twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services import pin_verify
from lifecircle.core.converters import id_in_range
from lifecircle.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, validation_error
from lifecircle.core.money import amount_check
from lifecircle.core.text import plain_text
from lifecircle.ious.models import PURPOSE_MAX, Iou
from lifecircle.ious.selectors import iou_get_for_viewer, rate_cap_bp
from lifecircle.ious.services.common import card_changed, parties_check, proposal_state_check
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.wallet.models import EntryKind, JournalEntry
from lifecircle.wallet.services import Leg, entry_post, system_account, wallet_account_for
from lifecircle.wallet.services.idempotency import fingerprint, idempotency_key_clean, idempotent

PROPOSAL_TTL = dt.timedelta(days=7)  # a proposal nobody confirms is void after a week …
MAX_LEAD_DAYS = 30  # the lending date is at most this far ahead …
MAX_TERM_DAYS = 3660  # … and an IOU runs at most about ten years
ROLES = ("lender", "borrower")


def percent(bp: int) -> str:
    """300 → "3.00%"."""
    return f"{bp // 100}.{bp % 100:02d}%"


def purpose_clean(purpose) -> str:
    purpose = plain_text(purpose)
    if not purpose:
        raise validation_error("purpose", "purpose_required", _("Say what the money is for."))
    if len(purpose) > PURPOSE_MAX:
        raise validation_error("purpose", "purpose_too_long", _("The purpose has at most 100 characters."))
    return purpose


def rate_clean(rate_bp) -> int:
    """0 ≤ rate ≤ IOU_RATE_CAP_MULTIPLE × IOU_LPR_1Y_BP (inclusive: exactly the cap is allowed)."""
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or rate_bp < 0:
        raise validation_error(
            "rate_bp",
            "rate_invalid",
            _("Enter the annual rate as a whole number of basis points, 0 or more."),
        )
    cap = rate_cap_bp()
    if rate_bp > cap:
        from django.conf import settings

        message = _(
            "The annual rate may be at most %(cap)s (%(multiple)s × the one-year LPR of %(lpr)s)."
        ) % {
            "cap": percent(cap),
            "multiple": settings.LIFECIRCLE["IOU_RATE_CAP_MULTIPLE"],
            "lpr": percent(settings.LIFECIRCLE["IOU_LPR_1Y_BP"]),
        }
        raise ApplicationError(
            "rate_above_cap", message, fields={"rate_bp": [message]}, extra={"rate_cap_bp": cap}
        )
    return rate_bp


def dates_check(lent_on, due_on, *, today: dt.date) -> None:
    if not isinstance(lent_on, dt.date) or isinstance(lent_on, dt.datetime):
        raise validation_error("lent_on", "date_invalid", _("Enter a valid date."))
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise validation_error("due_on", "date_invalid", _("Enter a valid date."))
    if lent_on < today:
        raise validation_error("lent_on", "lent_on_past", _("The lending date cannot be in the past."))
    if (lent_on - today).days > MAX_LEAD_DAYS:  # the money moves at confirmation, not years later
        raise validation_error(
            "lent_on", "lent_on_too_far", _("The lending date can be at most 30 days from today.")
        )
    if due_on <= lent_on:
        raise validation_error(
            "due_on", "due_not_after_lending", _("The due date must be after the lending date.")
        )
    if (due_on - lent_on).days > MAX_TERM_DAYS:
        raise validation_error("due_on", "due_too_far", _("An IOU can run for at most ten years."))


def _counterparty(proposer: User, counterparty_id) -> User:
    other = (
        User.objects.select_related("identity").filter(pk=counterparty_id, is_active=True).first()
        if id_in_range(counterparty_id)
        else None
    )
    if other is None:
        raise NotFound("counterparty_not_found", _("No such person."))
    if other.pk == proposer.pk:
        raise validation_error("counterparty_id", "iou_self", _("You cannot write an IOU with yourself."))
    return other


def _conversation_check(proposer: User, other: User, conversation_id) -> None:
    """A conversation named by the client must be the parties' own one-to-one chat."""
    from lifecircle.chat.models import Conversation

    if conversation_id is None:
        return
    low, high = sorted((proposer.pk, other.pk))
    ok = (
        id_in_range(conversation_id)
        and Conversation.objects.filter(
            pk=conversation_id, kind=Conversation.Kind.DIRECT, direct_key=f"{low}:{high}"
        ).exists()
    )
    if not ok:
        raise validation_error(
            "conversation_id",
            "conversation_invalid",
            _("An IOU goes into your one-to-one chat with the other person."),
        )


def _replay(existing: Iou, fp: str) -> Iou:
    if existing.fingerprint != fp:
        raise ApplicationError(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
            status=422,
        )
    existing.replayed = True
    return existing


def iou_propose(
    *,
    proposer: User,
    counterparty_id: int,
    role: str,
    amount_fen: int,
    purpose: str,
    rate_bp: int,
    lent_on: dt.date,
    due_on: dt.date,
    pin: str,
    idempotency_key: str | None,
    auto_debit: bool = False,
    conversation_id: int | None = None,
) -> Iou:
    """``proposer`` writes an IOU with ``counterparty_id`` as the ``role`` they take ("lender"
    or "borrower") and signs it with their PIN. A lender's proposal moves the principal from
    the lender's wallet into escrow now; a borrower's moves nothing yet. The card is posted
    into the parties' one-to-one chat in the same transaction, and the other party is notified.

    ``auto_debit`` is the borrower's consent to a debit on the due date (borrowers only).
    Idempotent per (proposer, key): a retry returns the first IOU (``replayed``); the same
    key with other terms is ``idempotency_key_reused``."""
    key = idempotency_key_clean(idempotency_key)
    if role not in ROLES:
        raise validation_error("role", "role_invalid", _("Choose one of the offered values."))
    amount_fen = amount_check(amount_fen)
    purpose = purpose_clean(purpose)
    rate_bp = rate_clean(rate_bp)
    auto_debit = bool(auto_debit)
    if auto_debit and role != "borrower":
        raise validation_error(
            "auto_debit", "auto_debit_borrower_only", _("Only the borrower can agree to a due-date debit.")
        )
    params = {
        "counterparty_id": counterparty_id,
        "role": role,
        "amount_fen": amount_fen,
        "purpose": purpose,
        "rate_bp": rate_bp,
        "lent_on": str(lent_on),
        "due_on": str(due_on),
        "auto_debit": auto_debit,
    }
    fp = fingerprint(params)
    existing = Iou.objects.filter(proposer=proposer, idempotency_key=key).first()
    if existing is not None:
        return _replay(existing, fp)

    now = timezone.now()
    dates_check(lent_on, due_on, today=timezone.localdate(now))
    other = _counterparty(proposer, counterparty_id)
    parties_check(actor=proposer, other=other)
    _conversation_check(proposer, other, conversation_id)
    lender, borrower = (proposer, other) if role == "lender" else (other, proposer)
    due_midnight = timezone.make_aware(dt.datetime.combine(due_on, dt.time.min))
    pin_verify(user=proposer, pin=pin)

    def create() -> Iou:
        from lifecircle.chat.models import Message
        from lifecircle.chat.services import card_post, conversation_direct_open

        # The card goes into the parties' one-to-one chat (opened here if they never chatted).
        conv_id = conversation_id or conversation_direct_open(user=proposer, other_id=other.pk).pk
        iou = Iou.objects.create(
            lender=lender,
            borrower=borrower,
            proposer=proposer,
            principal_fen=amount_fen,
            purpose=purpose,
            rate_bp=rate_bp,
            lent_on=lent_on,
            due_on=due_on,
            auto_debit=auto_debit,
            conversation_id=conv_id,
            idempotency_key=key,
            fingerprint=fp,
            escrow_fen=amount_fen if role == "lender" else 0,
            created_at=now,
            expires_at=min(now + PROPOSAL_TTL, due_midnight),
        )
        message = card_post(
            sender=proposer,
            conversation_id=conv_id,
            kind=Message.Kind.IOU,
            subject_id=iou.pk,
            summary={"amount_fen": amount_fen, "purpose": purpose, "due_on": str(due_on)},
        )
        iou.message_id = message.pk
        iou.save(update_fields=["message_id"])
        notification_create(
            user_id=other.pk,
            kind=Notification.Kind.IOU_PROPOSED,
            actor_id=proposer.pk,
            amount_fen=amount_fen,
            subject_id=iou.pk,
        )
        return iou

    made: dict[str, Iou] = {}
    try:
        if role == "lender":
            details = {"step": "escrow", "from_user": lender.pk, "to_user": borrower.pk}

            def before() -> None:
                made["iou"] = create()
                details["iou_id"] = made["iou"].pk  # the entry is built after ``before`` runs

            def after(entry: JournalEntry) -> None:
                Iou.objects.filter(pk=made["iou"].pk).update(escrow_entry=entry)

            entry_post(
                kind=EntryKind.IOU,
                legs=[
                    Leg(wallet_account_for(lender), -amount_fen),
                    Leg(system_account("escrow"), amount_fen),
                ],
                initiated_by=proposer,
                note=purpose,
                details=details,
                before=before,
                after=after,
            )
        else:
            with transaction.atomic():
                made["iou"] = create()
    except IntegrityError:
        # The same key raced in twice: the first one's IOU is the answer.
        existing = Iou.objects.filter(proposer=proposer, idempotency_key=key).first()
        if existing is None:
            raise
        return _replay(existing, fp)
    iou = Iou.objects.get(pk=made["iou"].pk)
    iou.replayed = False
    return iou


def iou_confirm(
    *, user: User, iou_id: int, pin: str, idempotency_key: str | None, auto_debit: bool = False
) -> Iou:
    """The other party signs with their PIN and the loan is funded: from escrow (a lender's
    proposal) or from the lender's wallet (a borrower's proposal, so this is the lender's PIN)
    to the borrower. Money moves exactly once: the same key replays, a second confirmation
    with another key is ``iou_already_confirmed`` (409). ``auto_debit`` is the confirming
    borrower's consent to a debit on the due date."""
    iou = iou_get_for_viewer(viewer=user, iou_id=iou_id)
    if user.pk == iou.proposer_id:
        raise PermissionDenied("iou_confirm_own", _("You proposed this IOU: the other party confirms it."))
    auto_debit = bool(auto_debit)
    if auto_debit and user.pk != iou.borrower_id:
        raise validation_error(
            "auto_debit", "auto_debit_borrower_only", _("Only the borrower can agree to a due-date debit.")
        )
    other = iou.lender if user.pk == iou.borrower_id else iou.borrower
    principal, from_escrow = iou.principal_fen, iou.escrow_fen > 0

    def run(claim):
        proposal_state_check(iou, now=timezone.now())
        parties_check(actor=user, other=other)
        pin_verify(user=user, pin=pin)
        source = system_account("escrow") if from_escrow else wallet_account_for(iou.lender)

        def before() -> None:
            locked = Iou.objects.select_for_update().get(pk=iou.pk)
            proposal_state_check(locked, now=timezone.now())
            if locked.escrow_fen != (principal if from_escrow else 0):  # pragma: no cover - invariant
                raise Conflict("iou_changed", _("This IOU changed meanwhile. Reload it."))

        def after(entry: JournalEntry) -> None:
            now = timezone.now()
            fields = {
                "status": Iou.Status.ACTIVE,
                "confirmed_at": now,
                "escrow_fen": 0,
                "outstanding_principal_fen": principal,
                "interest_from": max(iou.lent_on, timezone.localdate(now)),
                "fund_entry": entry,
            }
            if user.pk == iou.borrower_id:
                fields["auto_debit"] = auto_debit
            Iou.objects.filter(pk=iou.pk).update(**fields)
            claim.complete(entry)
            notification_create(
                user_id=iou.proposer_id,
                kind=Notification.Kind.IOU_CONFIRMED,
                actor_id=user.pk,
                amount_fen=principal,
                subject_id=iou.pk,
            )
            card_changed(iou, actor_id=user.pk)

        return entry_post(
            kind=EntryKind.IOU,
            legs=[Leg(source, -principal), Leg(wallet_account_for(iou.borrower), principal)],
            initiated_by=user,
            note=iou.purpose,
            details={
                "step": "fund",
                "iou_id": iou.pk,
                "from_user": iou.lender_id,
                "to_user": iou.borrower_id,
            },
            before=before,
            after=after,
        )

    entry = idempotent(
        user=user,
        operation="iou_confirm",
        key=idempotency_key,
        params={"iou_id": iou.pk, "auto_debit": auto_debit},
        run=run,
    )
    iou.refresh_from_db()
    iou.replayed = getattr(entry, "replayed", False)
    return iou


class _NotAProposal(ApplicationError):
    """Raised under the row lock when the proposal was closed or confirmed meanwhile."""


def _close_proposal(iou: Iou, *, by: User | None, now: dt.datetime) -> Iou:
    """Cancel (``by`` a party) or expire (``by`` None, or past ``expires_at``) a proposal,
    returning any escrow to the lender exactly, in one transaction with the status change."""
    expired = now >= iou.expires_at
    status = Iou.Status.EXPIRED if expired else Iou.Status.CANCELLED
    escrow = iou.escrow_fen

    def before() -> None:
        locked = Iou.objects.select_for_update().get(pk=iou.pk)
        if locked.status != Iou.Status.PROPOSED or locked.escrow_fen != escrow:
            raise _NotAProposal("iou_not_proposed", "")

    def close(entry: JournalEntry | None = None) -> None:
        Iou.objects.filter(pk=iou.pk).update(
            status=status,
            closed_at=now,
            cancelled_by=None if expired else by,
            escrow_fen=0,
            refund_entry=entry,
        )
        card_changed(iou, actor_id=by.pk if by else None)

    try:
        if escrow:
            entry_post(
                kind=EntryKind.IOU,
                legs=[Leg(system_account("escrow"), -escrow), Leg(wallet_account_for(iou.lender), escrow)],
                initiated_by=by,
                note=iou.purpose,
                details={"step": "refund", "iou_id": iou.pk, "to_user": iou.lender_id},
                before=before,
                after=close,
            )
        else:
            with transaction.atomic():
                before()
                close()
    except _NotAProposal:
        pass
    iou.refresh_from_db()
    return iou


def iou_cancel(*, user: User, iou_id: int) -> Iou:
    """Either party withdraws a proposal before it is confirmed; a lender's escrow goes back to
    the lender. Idempotent: cancelling a cancelled (or expired) IOU returns it unchanged.
    A confirmed IOU cannot be cancelled (``iou_not_cancellable``, 409)."""
    iou = iou_get_for_viewer(viewer=user, iou_id=iou_id)
    if iou.status == Iou.Status.PROPOSED:
        iou = _close_proposal(iou, by=user, now=timezone.now())
    if iou.status in (Iou.Status.ACTIVE, Iou.Status.REPAID):
        raise Conflict(
            "iou_not_cancellable",
            _("This IOU has been confirmed and the money has moved; it ends when it is repaid."),
        )
    return iou


def ious_expired_close(*, now: dt.datetime | None = None) -> int:
    """Return the escrow of every proposal past its expiry and mark it expired. Idempotent;
    reads never wait for it (they see an expired proposal from the clock)."""
    now = now or timezone.now()
    closed = 0
    for iou in Iou.objects.filter(status=Iou.Status.PROPOSED, expires_at__lte=now).order_by("id")[:1000]:
        if _close_proposal(iou, by=None, now=now).status == Iou.Status.EXPIRED:
            closed += 1
    return closed
