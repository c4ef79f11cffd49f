"""Repaying an IOU: by the borrower with the PIN, or by the debit the borrower agreed to for
the due date. A repayment pays the interest owed first, then principal
(``lifecircle.ious.interest``); it closes the open interest period on the day it is paid."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecircle.accounts.models import User
from lifecircle.accounts.services import pin_verify
from lifecircle.core.errors import ApplicationError, Conflict, PermissionDenied
from lifecircle.core.money import amount_check, format_fen
from lifecircle.ious.interest import Owed, repayment_split
from lifecircle.ious.models import Iou, IouRepayment
from lifecircle.ious.selectors import iou_get_for_viewer, iou_owed
from lifecircle.ious.services.common import card_changed
from lifecircle.notifications.models import Notification
from lifecircle.notifications.services import notification_create
from lifecircle.wallet.models import EntryKind, JournalEntry
from lifecircle.wallet.services import Leg, account_balance, entry_post, wallet_account_for
from lifecircle.wallet.services.idempotency import idempotent


def _repayable_check(iou: Iou, amount_fen: int, day: dt.date) -> Owed:
    if iou.status == Iou.Status.REPAID:
        raise Conflict("iou_already_repaid", _("This IOU has been repaid in full."))
    if iou.status != Iou.Status.ACTIVE:
        raise Conflict("iou_not_active", _("This IOU has not been confirmed, so there is nothing to repay."))
    owed = iou_owed(iou, day=day)
    if amount_fen > owed.total_fen:
        message = _("You owe %(owed)s today; a repayment cannot be more than that.") % {
            "owed": format_fen(owed.total_fen)
        }
        raise ApplicationError(
            "repayment_above_owed",
            message,
            fields={"amount_fen": [message]},
            extra={"owed_fen": owed.total_fen},
        )
    return owed


def _apply(iou: Iou, owed: Owed, amount_fen: int, entry: JournalEntry, *, auto: bool) -> IouRepayment:
    """Inside the money transaction, with the IOU row locked: record the repayment and close the
    interest period on its day."""
    split = repayment_split(owed, amount_fen)
    now = timezone.now()
    repaid = split.principal_left_fen == 0 and split.interest_left_fen == 0
    Iou.objects.filter(pk=iou.pk).update(
        outstanding_principal_fen=split.principal_left_fen,
        interest_unpaid_fen=split.interest_left_fen,
        interest_from=max(owed.day, iou.interest_from or owed.day),
        principal_repaid_fen=F("principal_repaid_fen") + split.principal_fen,
        interest_paid_fen=F("interest_paid_fen") + split.interest_fen,
        status=Iou.Status.REPAID if repaid else Iou.Status.ACTIVE,
        closed_at=now if repaid else None,
    )
    repayment = IouRepayment.objects.create(
        iou=iou,
        amount_fen=amount_fen,
        interest_fen=split.interest_fen,
        principal_fen=split.principal_fen,
        days=owed.days,
        paid_on=owed.day,
        principal_left_fen=split.principal_left_fen,
        interest_left_fen=split.interest_left_fen,
        auto=auto,
        entry=entry,
        created_at=now,
    )
    notification_create(
        user_id=iou.lender_id,
        kind=Notification.Kind.IOU_REPAID,
        actor_id=iou.borrower_id,
        amount_fen=amount_fen,
        subject_id=iou.pk,
    )
    card_changed(iou, actor_id=None if auto else iou.borrower_id)
    return repayment


def _repayment_post(iou: Iou, amount_fen: int, *, step: str, by: User | None, before, after) -> JournalEntry:
    """The ledger entry of a repayment (``step``: ``repay`` or ``auto_debit``): borrower → lender."""
    return entry_post(
        kind=EntryKind.IOU,
        legs=[
            Leg(wallet_account_for(iou.borrower), -amount_fen),
            Leg(wallet_account_for(iou.lender), amount_fen),
        ],
        initiated_by=by,
        note=iou.purpose,
        details={"step": step, "iou_id": iou.pk, "from_user": iou.borrower_id, "to_user": iou.lender_id},
        before=before,
        after=after,
    )


def iou_repay(
    *, user: User, iou_id: int, amount_fen: int, pin: str, idempotency_key: str | None
) -> IouRepayment:
    """The borrower repays ``amount_fen`` (part or all of what is owed today) with the PIN.
    More than owed is ``repayment_above_owed`` with the amount owed. Idempotent per (borrower,
    key): a retry returns the first repayment (``replayed``)."""
    iou = iou_get_for_viewer(viewer=user, iou_id=iou_id)
    if user.pk != iou.borrower_id:
        raise PermissionDenied("iou_not_borrower", _("Only the borrower repays an IOU."))
    amount_fen = amount_check(amount_fen)

    def run(claim):
        _repayable_check(iou, amount_fen, timezone.localdate())
        pin_verify(user=user, pin=pin)
        state: dict = {}

        def before() -> None:
            locked = Iou.objects.select_for_update().get(pk=iou.pk)
            state["iou"], state["owed"] = locked, _repayable_check(locked, amount_fen, timezone.localdate())

        def after(entry: JournalEntry) -> None:
            claim.complete(entry)
            _apply(state["iou"], state["owed"], amount_fen, entry, auto=False)

        return _repayment_post(iou, amount_fen, step="repay", by=user, before=before, after=after)

    entry = idempotent(
        user=user,
        operation="iou_repay",
        key=idempotency_key,
        params={"iou_id": iou.pk, "amount_fen": amount_fen},
        run=run,
    )
    repayment = IouRepayment.objects.select_related("iou").get(entry=entry)
    repayment.replayed = getattr(entry, "replayed", False)
    return repayment


class _Skip(ApplicationError):
    """Under the row lock: this IOU is no longer due for its debit (or what is owed changed)."""


def _auto_debit_eligible(iou: Iou, day: dt.date) -> bool:
    return (
        iou.status == Iou.Status.ACTIVE and iou.auto_debit and iou.due_on <= day and iou.auto_debit_on is None
    )


class _Retry(Exception):
    """Read the IOU and the balance again (they changed between reading and debiting)."""


def _auto_debit_once(iou_id: int, day: dt.date) -> IouRepayment | None:
    iou = Iou.objects.select_related("lender", "borrower").filter(pk=iou_id).first()
    if iou is None or not _auto_debit_eligible(iou, day):
        return None
    owed = iou_owed(iou, day=day)
    amount = min(owed.total_fen, account_balance(wallet_account_for(iou.borrower)))
    if amount <= 0:  # nothing to take: the attempt is recorded, and the IOU stays owed
        Iou.objects.filter(pk=iou.pk, auto_debit_on__isnull=True).update(auto_debit_on=day)
        return None
    state: dict = {}

    def before() -> None:
        locked = Iou.objects.select_for_update().get(pk=iou.pk)
        if not _auto_debit_eligible(locked, day):
            raise _Skip("iou_not_due", "")
        current = iou_owed(locked, day=day)
        if amount > current.total_fen:
            raise _Skip("iou_owed_changed", "")
        state["iou"], state["owed"] = locked, current

    def after(entry: JournalEntry) -> None:
        Iou.objects.filter(pk=iou.pk).update(auto_debit_on=day)
        state["repayment"] = _apply(state["iou"], state["owed"], amount, entry, auto=True)

    try:
        _repayment_post(iou, amount, step="auto_debit", by=None, before=before, after=after)
    except _Skip as exc:
        raise _Retry from exc  # repaid, debited by another run, or what is owed changed
    except ApplicationError as exc:
        if exc.code == "insufficient_funds":
            raise _Retry from exc  # the balance fell between reading it and the debit
        raise
    return state["repayment"]


def iou_auto_debit(*, iou_id: int, day: dt.date | None = None) -> IouRepayment | None:
    """The due-date debit the borrower agreed to: once per IOU, on the due date (or on the first
    run after it, if ``ious-due`` did not run that day). It takes **what it can**: what is owed,
    or the borrower's whole balance if that is less (nothing if the balance is zero); whatever
    is left stays owed and the IOU is overdue from the day after the due date. No PIN: the
    borrower consented with their PIN when signing. Recorded by ``auto_debit_on`` in the same
    transaction as the debit (checked under the IOU's row lock), so two runs — even at once —
    debit once."""
    day = day or timezone.localdate()
    for _attempt in range(3):
        try:
            return _auto_debit_once(iou_id, day)
        except _Retry:
            continue
    return None


def iou_remind_due(*, iou_id: int, day: dt.date | None = None) -> bool:
    """The due-date reminder (IOU_DUE) to both parties, once: only on the due date itself and
    only for an IOU with something owed. ``reminded_on`` is set by a conditional UPDATE in the
    same transaction as the notifications, so two runs remind once."""
    from django.db import transaction

    day = day or timezone.localdate()
    with transaction.atomic():
        sent = Iou.objects.filter(
            pk=iou_id, status=Iou.Status.ACTIVE, due_on=day, reminded_on__isnull=True
        ).update(reminded_on=day)
        if sent != 1:
            return False
        iou = Iou.objects.get(pk=iou_id)
        owed = iou_owed(iou, day=day).total_fen
        for user_id, actor_id in ((iou.borrower_id, iou.lender_id), (iou.lender_id, iou.borrower_id)):
            notification_create(
                user_id=user_id,
                kind=Notification.Kind.IOU_DUE,
                actor_id=actor_id,
                amount_fen=owed,
                subject_id=iou.pk,
            )
    return True


def ious_due_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the ``ious-due`` sweep: return expired proposals' escrow, remind IOUs due
    today, then run the agreed due-date debits. Idempotent: a second pass the same day does
    nothing more."""
    from lifecircle.ious.services.proposals import ious_expired_close

    now = now or timezone.now()
    day = timezone.localdate(now)
    report = {"expired": ious_expired_close(now=now), "reminded": 0, "debited": 0, "debited_fen": 0}
    for iou_id in Iou.objects.filter(
        status=Iou.Status.ACTIVE, due_on=day, reminded_on__isnull=True
    ).values_list("id", flat=True):
        report["reminded"] += iou_remind_due(iou_id=iou_id, day=day)
    for iou_id in Iou.objects.filter(
        status=Iou.Status.ACTIVE, auto_debit=True, due_on__lte=day, auto_debit_on__isnull=True
    ).values_list("id", flat=True):
        repayment = iou_auto_debit(iou_id=iou_id, day=day)
        if repayment is not None:
            report["debited"] += 1
            report["debited_fen"] += repayment.amount_fen
    return report
