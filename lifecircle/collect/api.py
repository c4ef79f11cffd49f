"""/api/v1/collections: group collections (群收款 / AA) and pay-on-behalf (代付).

Paying needs an ``Idempotency-Key`` header (scoped to the user and the operation); a retry
with the same key returns the first payment with the header ``Idempotent-Replayed: true``.
Creating a collection accepts one too (a retry returns the first collection). Errors are the
API's one shape; codes are listed in docs/collections.md."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Header, Router
from ninja.responses import Status

from lifecircle.accounts.selectors import DisplayName
from lifecircle.collect import selectors, services
from lifecircle.collect.schemas import (
    CollectionIn,
    CollectionOut,
    CollectionPageOut,
    PayIn,
    PaymentOut,
    PayRequestIn,
    PayRequestOut,
    PayRequestPayIn,
    PayRequestPaymentOut,
)
from lifecircle.collect.services.errors import collection_not_found, pay_request_not_found

router = Router(tags=["collections"])
IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_DOC = "Required. Any unique string (e.g. a UUID) per intended payment; a retry sends the same one."


def _name(user_id: int, name: DisplayName) -> dict:
    return {"id": user_id, "name": name.primary, "real_name": name.real_name}


def collection_out(v: selectors.CollectionView) -> dict:
    c = v.collection
    my = v.my_line
    return {
        "id": c.pk,
        "title": c.title,
        "split": c.split,
        "status": c.status,
        "organiser": _name(c.organiser_id, v.organiser_name),
        "conversation_id": c.conversation_id,
        "created_at": c.created_at,
        "closed_at": c.closed_at,
        "total_fen": c.total_fen,
        "due_fen": v.due_fen,
        "received_fen": v.received_fen,
        "outstanding_fen": v.outstanding_fen,
        "paid_count": v.paid_count,
        "member_count": v.count,
        "shares": [
            {
                "member": _name(line.share.member_id, line.name),
                "position": line.share.position,
                "amount_fen": line.share.amount_fen,
                "is_organiser": line.is_organiser,
                "paid": line.share.is_paid,
                "paid_at": line.share.paid_at,
                "paid_by": _name(line.share.paid_by_id, line.paid_by_name) if line.paid_by_name else None,
                "reminded_at": line.share.reminded_at,
            }
            for line in v.lines
        ],
        "my_share": None
        if my is None
        else {
            "amount_fen": my.share.amount_fen,
            "paid": my.share.is_paid,
            "can_pay": v.can_pay,
            "pending_pay_request_id": v.my_request.pk if v.my_request else None,
        },
    }


def _collection(viewer, collection_id: int) -> dict:
    collection = selectors.collection_for_participant(viewer=viewer, collection_id=collection_id)
    if collection is None:
        raise collection_not_found()
    return collection_out(selectors.collection_view(viewer=viewer, collection=collection))


def pay_request_out(v: selectors.PayRequestView) -> dict:
    r = v.request
    c = v.collection
    return {
        "id": r.pk,
        "state": v.state,
        "amount_fen": r.amount_fen,
        "requester": _name(r.requester_id, v.requester_name),
        "payer": _name(r.payer_id, v.payer_name),
        "collection": {"id": c.pk, "title": c.title, "organiser": _name(c.organiser_id, v.organiser_name)},
        "conversation_id": r.conversation_id,
        "created_at": r.created_at,
        "expires_at": r.expires_at,
        "paid_at": r.paid_at,
        "entry_id": r.entry_id if v.is_payer else None,
    }


def _pay_request(viewer, pay_request_id: int) -> dict:
    card = selectors.pay_request_cards_for(viewer=viewer, ids=[pay_request_id]).get(pay_request_id)
    if card is None:
        raise pay_request_not_found()
    return pay_request_out(card)


def _replayed(response: HttpResponse, entry) -> None:
    if getattr(entry, "replayed", False):
        response["Idempotent-Replayed"] = "true"


# --- pay requests (before /{collection_id}, which would otherwise shadow them) -------------
@router.get("/pay-requests", response=list[PayRequestOut])
def pay_requests_waiting(request):
    """Friends' requests you can still pay, newest first."""
    return [pay_request_out(v) for v in selectors.pay_requests_waiting_for(viewer=request.auth)]


@router.get("/pay-requests/{pay_request_id}", response=PayRequestOut)
def pay_request_get(request, pay_request_id: int):
    """For the member who asked and the friend who was asked. ``state`` checks the clock."""
    return _pay_request(request.auth, pay_request_id)


@router.post("/pay-requests/{pay_request_id}/pay", response={201: PayRequestPaymentOut})
def pay_request_pay(
    request,
    response: HttpResponse,
    pay_request_id: int,
    data: PayRequestPayIn,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """The friend pays the member's share to the organiser, with the PIN."""
    payment = services.pay_request_pay(
        payer=request.auth, pay_request_id=pay_request_id, pin=data.pin, idempotency_key=idempotency_key
    )
    _replayed(response, payment.entry)
    return Status(
        201, {"entry_id": payment.entry.pk, "pay_request": _pay_request(request.auth, pay_request_id)}
    )


@router.post("/pay-requests/{pay_request_id}/cancel", response=PayRequestOut)
def pay_request_cancel(request, pay_request_id: int):
    """The member withdraws the request, or the friend declines it."""
    services.pay_request_cancel(user=request.auth, pay_request_id=pay_request_id)
    return _pay_request(request.auth, pay_request_id)


# --- collections ----------------------------------------------------------------------------
@router.post("", response={201: CollectionOut})
def collection_create(
    request,
    data: CollectionIn,
    idempotency_key: str | None = Header(
        None, alias=IDEMPOTENCY_HEADER, description="Optional: a retry with the same key returns the first"
    ),
):
    """Start a collection. ``even``: ``total_fen`` split among ``member_ids`` in their order;
    ``custom``: ``shares``. Include your own id to take a share (it counts as paid)."""
    collection = services.collection_create(
        organiser=request.auth,
        title=data.title,
        split=data.split,
        member_ids=data.member_ids,
        total_fen=data.total_fen,
        shares=[services.ShareSpec(s.user_id, s.amount_fen) for s in data.shares],
        conversation_id=data.conversation_id,
        client_key=idempotency_key,
    )
    return Status(201, _collection(request.auth, collection.pk))


@router.get("", response=CollectionPageOut)
def collection_list(request, cursor: str | None = None):
    """Collections you organised or are asked to pay in, newest first."""
    rows, next_cursor = selectors.collections_for(viewer=request.auth, cursor=cursor)
    return {
        "items": [
            collection_out(v) for v in selectors.collection_views(viewer=request.auth, collections=rows)
        ],
        "next_cursor": next_cursor,
    }


@router.get("/{collection_id}", response=CollectionOut)
def collection_get(request, collection_id: int):
    """Who has paid and what is outstanding, for the organiser and the members."""
    return _collection(request.auth, collection_id)


@router.post("/{collection_id}/pay", response={201: PaymentOut})
def collection_pay(
    request,
    response: HttpResponse,
    collection_id: int,
    data: PayIn | None = None,
    idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER, description=KEY_DOC),
):
    """Pay your share in one tap: password-free within your limits; past them the answer is
    403 ``pin_required`` — send the same request again with ``pin``."""
    payment = services.collection_pay(
        payer=request.auth,
        collection_id=collection_id,
        idempotency_key=idempotency_key,
        pin=data.pin if data else None,
    )
    _replayed(response, payment.entry)
    return Status(
        201,
        {
            "entry_id": payment.entry.pk,
            "amount_fen": payment.share.amount_fen,
            "collection": _collection(request.auth, collection_id),
        },
    )


@router.post("/{collection_id}/close", response=CollectionOut)
def collection_close(request, collection_id: int):
    """The organiser closes it: no more payments; pending pay-on-behalf requests are withdrawn."""
    services.collection_close(organiser=request.auth, collection_id=collection_id)
    return _collection(request.auth, collection_id)


@router.post("/{collection_id}/pay-requests", response={201: PayRequestOut})
def pay_request_create(request, collection_id: int, data: PayRequestIn):
    """Ask a friend to pay your share for you; a card appears in your chat with them."""
    pay_request = services.pay_request_create(
        requester=request.auth, collection_id=collection_id, payer_id=data.payer_id
    )
    return Status(201, _pay_request(request.auth, pay_request.pk))
