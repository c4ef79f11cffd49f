"""An IOU as the API and the pages show it to one of its parties."""

from __future__ import annotations

from django.utils import translation

from lifecircle.core.money import format_fen
from lifecircle.ious.capitals import amount_in_capitals
from lifecircle.ious.models import Iou, IouRepayment
from lifecircle.ious.selectors import iou_owed, iou_permissions, iou_status, parties
from lifecircle.ious.services import percent


def capitals(fen: int) -> str:
    """大写 in the reader's script: traditional characters for 繁體中文, simplified otherwise."""
    return amount_in_capitals(fen, traditional=(translation.get_language() or "").lower() == "zh-hant")


def repayment_out(r: IouRepayment) -> dict:
    return {
        "id": r.pk,
        "amount_fen": r.amount_fen,
        "amount_display": format_fen(r.amount_fen),
        "interest_fen": r.interest_fen,
        "principal_fen": r.principal_fen,
        "days": r.days,
        "paid_on": r.paid_on,
        "principal_left_fen": r.principal_left_fen,
        "interest_left_fen": r.interest_left_fen,
        "auto": r.auto,
        "entry_id": r.entry_id,
        "created_at": r.created_at,
    }


def iou_out(iou: Iou, viewer) -> dict:
    status = iou_status(iou)
    owed = iou_owed(iou)
    lender, borrower = parties(iou)
    can = iou_permissions(iou, viewer, status=status)
    return {
        "id": iou.pk,
        "status": status,
        "status_display": str(Iou.Status(status).label),
        "role": iou.role_of(viewer),
        "proposer_id": iou.proposer_id,
        "lender": lender.__dict__,
        "borrower": borrower.__dict__,
        "amount_fen": iou.principal_fen,
        "amount_display": format_fen(iou.principal_fen),
        "amount_capitals": capitals(iou.principal_fen),
        "purpose": iou.purpose,
        "rate_bp": iou.rate_bp,
        "rate_display": percent(iou.rate_bp),
        "lent_on": iou.lent_on,
        "due_on": iou.due_on,
        "auto_debit": iou.auto_debit,
        "conversation_id": iou.conversation_id,
        "message_id": iou.message_id,
        "created_at": iou.created_at,
        "expires_at": iou.expires_at,
        "confirmed_at": iou.confirmed_at,
        "closed_at": iou.closed_at,
        "escrow_fen": iou.escrow_fen,
        "outstanding_principal_fen": iou.outstanding_principal_fen,
        "interest_unpaid_fen": iou.interest_unpaid_fen,
        "principal_repaid_fen": iou.principal_repaid_fen,
        "interest_paid_fen": iou.interest_paid_fen,
        "owed_today": {
            "day": owed.day,
            "interest_fen": owed.interest_fen,
            "principal_fen": owed.principal_fen,
            "total_fen": owed.total_fen,
            "total_display": format_fen(owed.total_fen),
        },
        "repayments": [repayment_out(r) for r in iou.repayments.all()],
        "can_confirm": can.confirm,
        "can_cancel": can.cancel,
        "can_repay": can.repay,
    }
