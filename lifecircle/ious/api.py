"""The IOU API (``/api/v1/ious``). Money-moving requests (propose, confirm, repay) need an
``Idempotency-Key`` header; a retry with the same key returns the first result with the header
``Idempotent-Replayed: true``. Cancelling is idempotent by itself."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from ninja import Header, Router
from ninja.responses import Status

from lifecircle.ious import selectors, services
from lifecircle.ious.present import iou_out, repayment_out
from lifecircle.ious.schemas import (
    ConfirmIn,
    IouIn,
    IouListOut,
    IouOut,
    RepayIn,
    RepaymentResultOut,
    TermsOut,
)
from lifecircle.ious.services.proposals import MAX_TERM_DAYS, PROPOSAL_TTL

router = Router(tags=["ious"])
IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_DOC = "Required. Any unique string (e.g. a UUID) per intended action; a retry sends the same one."


def _replayed(response: HttpResponse, obj) -> None:
    if getattr(obj, "replayed", False):
        response["Idempotent-Replayed"] = "true"


def _fresh(request, iou_id: int) -> dict:
    return iou_out(selectors.iou_get_for_viewer(viewer=request.auth, iou_id=iou_id), request.auth)


@router.get("/terms", response=TermsOut)
def terms(request):
    """The rate cap and limits in force."""
    conf = settings.LIFECIRCLE
    cap = selectors.rate_cap_bp()
    return {
        "lpr_1y_bp": conf["IOU_LPR_1Y_BP"],
        "rate_cap_multiple": conf["IOU_RATE_CAP_MULTIPLE"],
        "rate_cap_bp": cap,
        "rate_cap_display": services.percent(cap),
        "proposal_ttl_days": PROPOSAL_TTL.days,
        "max_term_days": MAX_TERM_DAYS,
    }


@router.get("", response=IouListOut)
def iou_list(request, cursor: str | None = None, limit: int = selectors.PAGE_SIZE):
    """Your IOUs as lender or borrower, newest first. Pass ``next_cursor`` back as ``cursor``."""
    rows, next_cursor = selectors.ious_for(viewer=request.auth, cursor=cursor, limit=limit)
    return {"items": [iou_out(i, request.auth) for i in rows], "next_cursor": next_cursor}


@router.post("", response={201: IouOut})
def iou_propose(
    request,
    response: HttpResponse,
    data: IouIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """Propose an IOU to a real-name-verified friend, signed with your PIN. As the lender, the
    principal moves from your wallet into escrow now (returned if it is cancelled or expires);
    as the borrower, nothing moves until the lender confirms. The card appears in your
    one-to-one chat. A rate above the cap is ``rate_above_cap``, with the cap in the message."""
    iou = services.iou_propose(
        proposer=request.auth,
        counterparty_id=data.counterparty_id,
        role=data.role,
        amount_fen=data.amount_fen,
        purpose=data.purpose,
        rate_bp=data.rate_bp,
        lent_on=data.lent_on,
        due_on=data.due_on,
        pin=data.pin,
        auto_debit=data.auto_debit,
        conversation_id=data.conversation_id,
        idempotency_key=idempotency_key,
    )
    _replayed(response, iou)
    return Status(201, _fresh(request, iou.pk))


@router.get("/{iou_id}", response=IouOut)
def iou_detail(request, iou_id: int):
    """One of your IOUs, with both parties' full legal names, what is owed today and the
    repayment history. Anyone else's IOU is a 404."""
    return _fresh(request, iou_id)


@router.post("/{iou_id}/confirm", response=IouOut)
def iou_confirm(
    request,
    response: HttpResponse,
    iou_id: int,
    data: ConfirmIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """The other party signs with their PIN and the loan is funded (from escrow, or from the
    lender's wallet when the borrower proposed). Exactly once: a second confirmation is
    ``iou_already_confirmed`` (409)."""
    iou = services.iou_confirm(
        user=request.auth,
        iou_id=iou_id,
        pin=data.pin,
        auto_debit=data.auto_debit,
        idempotency_key=idempotency_key,
    )
    _replayed(response, iou)
    return _fresh(request, iou.pk)


@router.post("/{iou_id}/cancel", response=IouOut)
def iou_cancel(request, iou_id: int):
    """Either party withdraws a proposal before it is confirmed; escrow returns to the lender."""
    iou = services.iou_cancel(user=request.auth, iou_id=iou_id)
    return _fresh(request, iou.pk)


@router.post("/{iou_id}/repayments", response={201: RepaymentResultOut})
def iou_repay(
    request,
    response: HttpResponse,
    iou_id: int,
    data: RepayIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """The borrower repays part or all of what is owed today, with the PIN: interest first,
    then principal. More than owed is ``repayment_above_owed`` (with ``owed_fen``)."""
    repayment = services.iou_repay(
        user=request.auth,
        iou_id=iou_id,
        amount_fen=data.amount_fen,
        pin=data.pin,
        idempotency_key=idempotency_key,
    )
    _replayed(response, repayment)
    return Status(201, {"repayment": repayment_out(repayment), "iou": _fresh(request, repayment.iou_id)})
