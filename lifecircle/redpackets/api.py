"""Red packets in the API: send (PIN, ``Idempotency-Key``), the packet with who got how much,
and grab. Errors are ``{"code", "message", "fields"}`` with a 4xx status."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Header, Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictInt

from lifecircle.core.money import format_fen
from lifecircle.core.schemas import InputSchema
from lifecircle.redpackets import selectors, services

router = Router(tags=["red packets"])
KEY_DOC = "Required. Any unique string (e.g. a UUID) per intended red packet; a retry sends the same one."


class RedPacketIn(InputSchema):
    conversation_id: StrictInt = Field(..., description="A chat you are in (one-to-one or group)")
    kind: str = Field(
        "lucky", max_length=10, description="`lucky` (random shares, decided when grabbed) or `fixed` (equal)"
    )
    total_fen: StrictInt = Field(
        ..., description="The whole packet in fen: at most RED_PACKET_MAX_FEN (¥200), at least 1 fen a share"
    )
    share_count: StrictInt = Field(
        ..., description="1 in a one-to-one chat; at most the group's member count in a group"
    )
    greeting: str = Field("", max_length=200, description="At most 30 characters; empty: “Best wishes”")
    pin: str = Field(..., max_length=6, description="Your payment PIN")


class GrabLineOut(Schema):
    user_id: int
    name: str = Field(..., description="As you see them (your remark for a friend, a masked real name)")
    amount_fen: int
    amount_display: str
    grabbed_at: dt.datetime
    best_luck: bool = Field(
        ..., description="The largest share of a lucky packet, once it is all taken or expired"
    )


class RedPacketOut(Schema):
    id: int
    conversation_id: int | None
    sender_id: int
    sender_name: str
    kind: str
    greeting: str
    total_fen: int
    total_display: str
    share_count: int
    taken_count: int
    taken_fen: int
    status: str = Field(..., description="`open`, `empty` (all taken) or `expired` (shares left, time up)")
    refunded_fen: int = Field(..., description="What went back to the sender after expiry")
    created_at: dt.datetime
    expires_at: dt.datetime
    my_amount_fen: int | None = Field(..., description="What you got, if you opened it")
    can_grab: bool
    grabs: list[GrabLineOut]


class GrabOut(Schema):
    packet_id: int
    amount_fen: int
    amount_display: str
    grabbed_at: dt.datetime


def packet_out(viewer, packet) -> dict:
    view = selectors.packet_view(viewer=viewer, packet=packet)
    return {
        "id": packet.pk,
        "conversation_id": packet.conversation_id,
        "sender_id": packet.sender_id,
        "sender_name": view.sender_name,
        "kind": packet.kind,
        "greeting": view.greeting,
        "total_fen": packet.total_fen,
        "total_display": format_fen(packet.total_fen),
        "share_count": packet.share_count,
        "taken_count": view.taken_count,
        "taken_fen": view.taken_fen,
        "status": view.status,
        "refunded_fen": packet.refunded_fen,
        "created_at": packet.created_at,
        "expires_at": packet.expires_at,
        "my_amount_fen": view.my_amount_fen,
        "can_grab": view.can_grab,
        "grabs": [
            {
                "user_id": g.user_id,
                "name": g.name,
                "amount_fen": g.amount_fen,
                "amount_display": format_fen(g.amount_fen),
                "grabbed_at": g.created_at,
                "best_luck": g.best_luck,
            }
            for g in view.grabs
        ],
    }


@router.post("", response={201: RedPacketOut})
def send(
    request,
    response: HttpResponse,
    data: RedPacketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=KEY_DOC),
):
    """Send a red packet into a chat: the total leaves your wallet now; what is unclaimed 24 h
    later comes back. A retry with the same key returns the same packet (header
    ``Idempotent-Replayed: true``)."""
    packet = services.red_packet_send(
        sender=request.auth,
        conversation_id=data.conversation_id,
        kind=data.kind,
        total_fen=data.total_fen,
        share_count=data.share_count,
        greeting=data.greeting,
        pin=data.pin,
        idempotency_key=idempotency_key,
    )
    if getattr(packet, "replayed", False):
        response["Idempotent-Replayed"] = "true"
    return Status(201, packet_out(request.auth, packet))


@router.get("/{packet_id}", response=RedPacketOut)
def detail(request, packet_id: int):
    """The packet and who got how much (for its sender, the members of its chat, and anyone
    who opened it)."""
    packet = selectors.packet_get_for_viewer(viewer=request.auth, packet_id=packet_id)
    if packet is None:
        raise services.packet_not_found()
    return packet_out(request.auth, packet)


@router.post("/{packet_id}/grab", response={201: GrabOut})
def grab(request, packet_id: int):
    """Open the packet: one share goes to your wallet. One grab per person; 409
    ``red_packet_empty`` when all are taken, 410 ``red_packet_expired`` after 24 h."""
    made = services.red_packet_grab(user=request.auth, packet_id=packet_id)
    return Status(
        201,
        {
            "packet_id": made.packet_id,
            "amount_fen": made.amount_fen,
            "amount_display": format_fen(made.amount_fen),
            "grabbed_at": made.created_at,
        },
    )
